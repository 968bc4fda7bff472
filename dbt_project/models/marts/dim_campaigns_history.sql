{#-
    Campaign attributes over time from snp_linkedin_ads__campaigns. valid_from of a campaign's
    first known version is moved back to its created_at: the warehouse first saw the campaign
    then, and assuming those attributes since creation beats having no attributes for early spend.
    As-of join: date_day >= cast(valid_from as date) and (valid_to is null or date_day < cast(valid_to as date)).
-#}
with

campaign_versions as (

    select * from {{ ref('snp_linkedin_ads__campaigns') }}

),

versions_ordered as (

    select
        *,
        row_number() over (partition by campaign_id order by dbt_valid_from) as version_number
    from campaign_versions

),

final as (

    select
        campaign_id,
        account_id,
        campaign_group_id,
        campaign_name,
        campaign_status,
        campaign_type,
        cost_type,
        objective_type,
        coalesce(daily_budget_currency_code, total_budget_currency_code, unit_cost_currency_code) as currency_code,
        cast(version_number as bigint) as version_number,
        daily_budget_amount,
        total_budget_amount,
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
