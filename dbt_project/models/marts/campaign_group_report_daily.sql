{#- A view: the names come from the current dimensions at query time, so a renamed
    account, group, campaign or creative shows its new name on every past day, and nothing is
    rebuilt when a day is added (DECISIONLOG: reports as views). -#}
{{
    config(
        materialized='view',
        meta={'test_window': {'day_column': 'date_day', 'built_model': 'fct_campaign_performance_daily'}},
    )
}}

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

performance_summed as (

    select
        date_day,
        account_id,
        campaign_group_id,
        currency_code,
        {{ summed_gold_metrics() }}
    from campaign_performance
    group by
        date_day,
        account_id,
        campaign_group_id,
        currency_code

),

final as (

    select
        performance_summed.date_day,
        performance_summed.account_id,
        performance_summed.campaign_group_id,
        accounts.account_name,
        campaign_groups.campaign_group_name,
        campaign_groups.campaign_group_status,
        performance_summed.currency_code,
        {{ gold_metric_columns('performance_summed') }},
        {{ report_ratio_columns('performance_summed') }}
    from performance_summed
    left join accounts
        on performance_summed.account_id = accounts.account_id
    left join campaign_groups
        on performance_summed.campaign_group_id = campaign_groups.campaign_group_id

)

select * from final
