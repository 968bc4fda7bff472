{#-
    Dashboard "Delivery by device": per account and device type over the loaded history,
    impressions, clicks, CTR, spend, CPC and CPM. Money in the account currency; ratios from the
    sums, null where the denominator is 0. LinkedIn serves no conversions by device.
-#}
with

device_performance as (

    select * from {{ ref('fct_device_performance_daily') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

per_account_and_device as (

    select
        accounts.account_name,
        device_performance.currency_code,
        device_performance.device_type,
        sum(device_performance.impressions) as impressions,
        sum(device_performance.clicks) as clicks,
        sum(device_performance.cost_local) as spend
    from device_performance
    left join accounts
        on device_performance.account_id = accounts.account_id
    group by accounts.account_name, device_performance.currency_code, device_performance.device_type

),

final as (

    select
        account_name,
        currency_code,
        device_type,
        impressions,
        clicks,
        spend,
        clicks * 1.0 / nullif(impressions, 0) as ctr,
        spend / nullif(clicks, 0) as cpc,
        1000 * spend / nullif(impressions, 0) as cpm
    from per_account_and_device

)

select * from final
