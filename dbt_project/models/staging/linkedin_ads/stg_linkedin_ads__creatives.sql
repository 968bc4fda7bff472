with

source as (

    select * from {{ source('linkedin_ads', 'creatives') }}

),

renamed as (

    select
        {{ urn_id('id') }} as creative_id,
        {{ urn_id('campaign') }} as campaign_id,
        {{ urn_id('account') }} as account_id,
        id as creative_urn,
        campaign as campaign_urn,
        account as account_urn,
        _dlt_load_id as dlt_load_id,
        name as creative_own_name,
        content__reference as content_reference,
        case
            when content__reference is not null then {{ urn_type('content__reference') }}
            when
                content__text_ad__headline is not null
                or content__text_ad__description is not null
                or content__text_ad__landing_page is not null
                then 'textAd'
        end as content_type,
        {{ urn_key('content__reference') }} as content_reference_key,
        content__text_ad__headline as text_ad_headline,
        content__text_ad__description as text_ad_description,
        content__text_ad__landing_page as text_ad_landing_page,
        intended_status,
        review__status as review_status,
        {{ json_string_list('review__rejection_reasons') }} as review_rejection_reasons,
        {{ json_string_list('serving_hold_reasons') }} as serving_hold_reasons,
        created_by as created_by_urn,
        last_modified_by as last_modified_by_urn,
        cast(is_serving as boolean) as is_serving,
        cast(is_test as boolean) as is_test,
        {{ epoch_ms_to_timestamp('created_at') }} as created_at,
        {{ epoch_ms_to_timestamp('last_modified_at') }} as last_modified_at
    from source

)

select * from renamed
