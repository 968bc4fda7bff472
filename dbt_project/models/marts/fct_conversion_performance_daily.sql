{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        partition_by=replace_partition('date_day'),
        unique_key='date_day',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([
            ['date_day'], ['account_id', 'date_day'], ['conversion_id', 'date_day'],
            ['creative_id', 'date_day'],
        ]),
        meta={'test_window': {'day_column': 'date_day', 'full_tests': ['relationships']}},
    )
}}

{#- Incremental over the same data-relative lookback window as the other daily facts, so conversions
    LinkedIn restates are rebuilt. The creative is the finest entity LinkedIn splits conversions by
    rule for; its campaign, group and account are those named in its own record. -#}

with

conversion_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics_by_conversion') }}
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
        conversion_analytics.date_day,
        creatives.account_id,
        campaigns.campaign_group_id,
        creatives.campaign_id,
        conversion_analytics.creative_id,
        conversion_analytics.conversion_id,
        accounts.currency_code,
        conversion_analytics.conversions,
        conversion_analytics.post_click_conversions,
        conversion_analytics.post_view_conversions,
        conversion_analytics.conversion_value_local
    from conversion_analytics
    left join creatives
        on conversion_analytics.creative_id = creatives.creative_id
    left join campaigns
        on creatives.campaign_id = campaigns.campaign_id
    left join accounts
        on creatives.account_id = accounts.account_id

)

select * from final
