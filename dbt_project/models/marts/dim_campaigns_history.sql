{#- Campaign attributes over time, from snp_linkedin_ads__campaigns (see snapshot_validity). -#}
with

campaign_versions as (

    select * from {{ ref('snp_linkedin_ads__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

versions_dated as (

    select
        *,
        {{ snapshot_validity('campaign_id') }}
    from campaign_versions

),

final as (

    select
        versions_dated.campaign_id,
        versions_dated.account_id,
        versions_dated.campaign_group_id,
        versions_dated.campaign_name,
        versions_dated.campaign_status,
        versions_dated.campaign_type,
        versions_dated.cost_type,
        versions_dated.objective_type,
        -- the budgets' currency, else the account's (as in dim_campaigns)
        coalesce(
            versions_dated.daily_budget_currency_code,
            versions_dated.total_budget_currency_code,
            versions_dated.unit_cost_currency_code,
            accounts.currency_code
        ) as currency_code,
        versions_dated.version_number,
        versions_dated.daily_budget_amount,
        versions_dated.total_budget_amount,
        versions_dated.is_current,
        versions_dated.valid_from,
        versions_dated.valid_to,
        versions_dated.last_modified_at
    from versions_dated
    left join accounts
        on versions_dated.account_id = accounts.account_id

)

select * from final
