with

creatives as (

    select * from {{ ref('int_creatives_named') }}

),

hold_reasons as (

    select * from {{ ref('int_entity_status_lists') }}
    where entity_type = 'creative' and list_name = 'serving_hold_reasons'

),

rejection_reasons as (

    select * from {{ ref('int_entity_status_lists') }}
    where entity_type = 'creative' and list_name = 'review_rejection_reasons'

),

final as (

    select
        creatives.creative_id,
        creatives.campaign_id,
        creatives.account_id,
        creatives.creative_name,
        creatives.creative_type,
        creatives.content_reference,
        creatives.intended_status,
        creatives.is_serving,
        hold_reasons.list_values as serving_hold_reasons,
        creatives.creative_urn,
        creatives.content_type,
        creatives.creative_own_name,
        creatives.text_ad_headline,
        creatives.text_ad_description,
        creatives.text_ad_landing_page,
        creatives.review_status,
        rejection_reasons.list_values as review_rejection_reasons,
        creatives.is_test,
        creatives.created_at,
        creatives.last_modified_at
    from creatives
    left join hold_reasons
        on creatives.creative_id = hold_reasons.entity_id
    left join rejection_reasons
        on creatives.creative_id = rejection_reasons.entity_id

)

select * from final
