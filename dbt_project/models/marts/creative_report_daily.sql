{#- A view: the names come from the current dimensions at query time, so a renamed
    account, group, campaign or creative shows its new name on every past day, and nothing is
    rebuilt when a day is added (DECISIONLOG: reports as views). -#}
{{
    config(
        materialized='view',
        meta={'test_window': {'day_column': 'date_day', 'built_model': 'fct_creative_performance_daily'}},
    )
}}

{#- The creative fact (already one row per creative and day) with the current names of its
    account, group, campaign and creative, and the ratio metrics of the row. -#}
with

creative_performance as (

    select * from {{ ref('fct_creative_performance_daily') }}

),

creatives as (

    select * from {{ ref('dim_creatives') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_groups as (

    select * from {{ ref('dim_campaign_groups') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

final as (

    select
        creative_performance.date_day,
        creative_performance.account_id,
        creative_performance.campaign_group_id,
        creative_performance.campaign_id,
        creative_performance.creative_id,
        accounts.account_name,
        campaign_groups.campaign_group_name,
        campaigns.campaign_name,
        creatives.creative_name,
        creatives.creative_type,
        creatives.creative_text,
        creatives.creative_headline,
        creatives.intended_status,
        creative_performance.currency_code,
        {{ gold_metric_columns('creative_performance') }},
        {{ report_ratio_columns('creative_performance') }}
    from creative_performance
    left join creatives
        on creative_performance.creative_id = creatives.creative_id
    left join campaigns
        on creative_performance.campaign_id = campaigns.campaign_id
    left join campaign_groups
        on creative_performance.campaign_group_id = campaign_groups.campaign_group_id
    left join accounts
        on creative_performance.account_id = accounts.account_id

)

select * from final
