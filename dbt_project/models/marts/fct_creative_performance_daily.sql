{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        partition_by=replace_partition('date_day'),
        unique_key='date_day',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([
            ['date_day'], ['account_id', 'date_day'], ['campaign_id', 'date_day'],
            ['creative_id', 'date_day'],
        ]),
        meta={'test_window': {'day_column': 'date_day', 'full_tests': ['relationships']}},
    )
}}

{#- Incremental over a data-relative lookback window: see fct_campaign_performance_daily. A creative
    belongs to the account and campaign named in its own record; the group is its campaign's, the
    currency its account's. -#}

with

creative_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics_by_creative') }}
    {{ lookback_filter('date_day') }}

),

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_scoped') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

final as (

    select
        creative_analytics.date_day,
        creatives.account_id,
        campaigns.campaign_group_id,
        creatives.campaign_id,
        creative_analytics.creative_id,
        accounts.currency_code,
        {{ gold_metrics_from_staging('creative_analytics') }}
    from creative_analytics
    left join creatives
        on creative_analytics.creative_id = creatives.creative_id
    left join campaigns
        on creatives.campaign_id = campaigns.campaign_id
    left join accounts
        on creatives.account_id = accounts.account_id

)

select * from final
