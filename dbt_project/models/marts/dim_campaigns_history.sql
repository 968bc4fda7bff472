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

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

versions_ordered as (

    select
        *,
        row_number() over (partition by campaign_id order by dbt_valid_from) as version_number
    from campaign_versions

),

final as (

    select
        versions_ordered.campaign_id,
        versions_ordered.account_id,
        versions_ordered.campaign_group_id,
        versions_ordered.campaign_name,
        versions_ordered.campaign_status,
        versions_ordered.campaign_type,
        versions_ordered.cost_type,
        versions_ordered.objective_type,
        -- the budgets' currency, else the account's (as in dim_campaigns)
        coalesce(
            versions_ordered.daily_budget_currency_code,
            versions_ordered.total_budget_currency_code,
            versions_ordered.unit_cost_currency_code,
            accounts.currency_code
        ) as currency_code,
        cast(versions_ordered.version_number as bigint) as version_number,
        versions_ordered.daily_budget_amount,
        versions_ordered.total_budget_amount,
        versions_ordered.dbt_valid_to is null as is_current,
        case
            when
                versions_ordered.version_number = 1
                and versions_ordered.created_at < versions_ordered.dbt_valid_from
                then versions_ordered.created_at
            else versions_ordered.dbt_valid_from
        end as valid_from,
        versions_ordered.dbt_valid_to as valid_to,
        versions_ordered.last_modified_at
    from versions_ordered
    left join accounts
        on versions_ordered.account_id = accounts.account_id

)

select * from final
