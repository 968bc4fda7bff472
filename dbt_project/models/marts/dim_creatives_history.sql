{#- Creative attributes over time (with the derived name and type), from snp_linkedin_ads__creatives
    (see snapshot_validity). -#}
with

creative_versions as (

    select * from {{ ref('snp_linkedin_ads__creatives') }}

),

final as (

    select
        creative_id,
        campaign_id,
        account_id,
        {{ snapshot_validity('creative_id') }},
        creative_name,
        creative_type,
        content_reference,
        intended_status,
        review_status,
        is_serving,
        last_modified_at
    from creative_versions

)

select * from final
