with

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

performance_summed as (

    select
        campaign_performance.date_day,
        campaign_performance.account_id,
        campaign_performance.currency_code,
        {{ summed_gold_metrics('campaign_performance') }}
    from campaign_performance
    group by
        campaign_performance.date_day,
        campaign_performance.account_id,
        campaign_performance.currency_code

),

final as (

    select
        performance_summed.date_day,
        performance_summed.account_id,
        accounts.account_name,
        accounts.account_status,
        accounts.account_type,
        performance_summed.currency_code,
        {% for metric in gold_metrics() -%}
        performance_summed.{{ metric.name }},
        {% endfor -%}
        {{ report_ratio_columns('performance_summed') }}
    from performance_summed
    left join accounts
        on performance_summed.account_id = accounts.account_id

)

select * from final
