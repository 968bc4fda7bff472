{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        unique_key='campaign_group_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['campaign_group_id'], ['account_id']]),
    )
}}

{#- Incremental only to be rewritten in place, every row on every run: replacing the table would
    drop the report views reading it on Postgres (DECISIONLOG.md: "The `*_report_daily` marts are views"). -#}

with

campaign_groups as (

    select * from {{ ref('stg_linkedin_ads__campaign_groups') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

final as (

    select
        campaign_groups.campaign_group_id,
        campaign_groups.account_id,
        campaign_groups.campaign_group_name,
        campaign_groups.campaign_group_status,
        campaign_groups.serving_statuses,
        coalesce(
            campaign_groups.total_budget_currency_code,
            campaign_groups.daily_budget_currency_code,
            accounts.currency_code
        ) as currency_code,
        campaign_groups.total_budget_amount,
        campaign_groups.daily_budget_amount,
        campaign_groups.is_backfilled,
        campaign_groups.is_test,
        campaign_groups.run_schedule_start_at,
        campaign_groups.run_schedule_end_at,
        campaign_groups.created_at,
        campaign_groups.last_modified_at
    from campaign_groups
    left join accounts
        on campaign_groups.account_id = accounts.account_id

)

select * from final
