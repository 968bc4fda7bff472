{#-
    Creative attributes over time from snp_linkedin_ads__creatives; valid_from of the first
    version moved back to created_at, as in dim_campaigns_history.
-#}
with

creative_versions as (

    select * from {{ ref('snp_linkedin_ads__creatives') }}

),

versions_ordered as (

    select
        *,
        row_number() over (partition by creative_id order by dbt_valid_from) as version_number
    from creative_versions

),

final as (

    select
        creative_id,
        campaign_id,
        account_id,
        creative_name,
        creative_type,
        content_reference,
        intended_status,
        review_status,
        cast(version_number as bigint) as version_number,
        is_serving,
        dbt_valid_to is null as is_current,
        case
            when version_number = 1 and created_at < dbt_valid_from then created_at
            else dbt_valid_from
        end as valid_from,
        dbt_valid_to as valid_to,
        last_modified_at
    from versions_ordered

)

select * from final
