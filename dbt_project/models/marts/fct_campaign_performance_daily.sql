{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        partition_by=replace_partition('date_day'),
        unique_key='date_day',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([
            ['date_day'], ['account_id', 'date_day'], ['campaign_id', 'date_day'],
        ]),
        meta={'test_window': {'day_column': 'date_day', 'full_tests': ['relationships']}},
    )
}}

{#-
    Incremental: each run replaces whole days from (latest date_day already built - lookback_days)
    on, so restated conversions inside the attribution window are picked up and a rerun equals a
    full refresh. The window is relative to the data, not to the wall clock (macros/lookback_filter.sql).
    Account, group and currency come from the campaign's own record (int_campaigns_scoped).
-#}

with

campaign_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics_by_campaign') }}
    {{ lookback_filter('date_day') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_scoped') }}

),

final as (

    select
        campaign_analytics.date_day,
        campaigns.account_id,
        campaigns.campaign_group_id,
        campaign_analytics.campaign_id,
        campaigns.account_currency_code as currency_code,
        {{ gold_metrics_from_staging('campaign_analytics') }}
    from campaign_analytics
    left join campaigns
        on campaign_analytics.campaign_id = campaigns.campaign_id

)

select * from final
