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

{#- Incremental over the lookback window like the other daily facts. LinkedIn sends an empty (or no)
    device type for some impressions: they are kept as 'UNKNOWN', summed with any row the API
    itself labels so, instead of failing the grain. No reach and no conversion metrics: LinkedIn
    does not serve them with this pivot. -#}

with

device_analytics as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics_by_device') }}
    {{ lookback_filter('date_day') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_scoped') }}

),

devices_summed as (

    select
        date_day,
        campaign_id,
        coalesce(nullif(trim(device_type), ''), 'UNKNOWN') as device_label,
        {{ summed_gold_metrics(device_pivot_only=true) }}
    from device_analytics
    group by date_day, campaign_id, coalesce(nullif(trim(device_type), ''), 'UNKNOWN')

),

final as (

    select
        devices_summed.date_day,
        campaigns.account_id,
        campaigns.campaign_group_id,
        devices_summed.campaign_id,
        devices_summed.device_label as device_type,
        campaigns.account_currency_code as currency_code,
        {{ gold_metric_columns('devices_summed', device_pivot_only=true) }}
    from devices_summed
    left join campaigns
        on devices_summed.campaign_id = campaigns.campaign_id

)

select * from final
