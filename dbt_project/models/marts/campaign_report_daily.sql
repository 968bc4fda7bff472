{#- A view: the names come from the current dimensions at query time, so a renamed
    account, group, campaign or creative shows its new name on every past day, and nothing is
    rebuilt when a day is added (DECISIONLOG: reports as views). -#}
{{
    config(
        materialized='view',
        meta={'test_window': {'day_column': 'date_day', 'built_model': 'fct_campaign_performance_daily'}},
    )
}}

{#- The campaign fact (already one row per campaign and day) with the current names and attributes
    of its account, group and campaign, and the ratio metrics of the row. -#}
with

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

campaign_groups as (

    select * from {{ ref('dim_campaign_groups') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        campaign_performance.date_day,
        campaign_performance.account_id,
        campaign_performance.campaign_group_id,
        campaign_performance.campaign_id,
        accounts.account_name,
        campaign_groups.campaign_group_name,
        campaigns.campaign_name,
        campaigns.campaign_status,
        campaigns.campaign_type,
        campaigns.cost_type,
        campaigns.objective_type,
        campaign_performance.currency_code,
        {{ gold_metric_columns('campaign_performance') }},
        {{ report_ratio_columns('campaign_performance') }}
    from campaign_performance
    left join accounts
        on campaign_performance.account_id = accounts.account_id
    left join campaign_groups
        on campaign_performance.campaign_group_id = campaign_groups.campaign_group_id
    left join campaigns
        on campaign_performance.campaign_id = campaigns.campaign_id

)

select * from final
