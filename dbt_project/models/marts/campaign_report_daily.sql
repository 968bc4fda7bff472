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

performance_summed as (

    select
        date_day,
        account_id,
        campaign_group_id,
        campaign_id,
        currency_code,
        {{ summed_gold_metrics() }}
    from campaign_performance
    group by
        date_day,
        account_id,
        campaign_group_id,
        campaign_id,
        currency_code

),

final as (

    select
        performance_summed.date_day,
        performance_summed.account_id,
        performance_summed.campaign_group_id,
        performance_summed.campaign_id,
        accounts.account_name,
        campaign_groups.campaign_group_name,
        campaigns.campaign_name,
        campaigns.campaign_status,
        campaigns.campaign_type,
        campaigns.cost_type,
        campaigns.objective_type,
        performance_summed.currency_code,
        {% for metric in gold_metrics() -%}
        performance_summed.{{ metric.name }},
        {% endfor -%}
        {{ report_ratio_columns('performance_summed') }}
    from performance_summed
    left join accounts
        on performance_summed.account_id = accounts.account_id
    left join campaign_groups
        on performance_summed.campaign_group_id = campaign_groups.campaign_group_id
    left join campaigns
        on performance_summed.campaign_id = campaigns.campaign_id

)

select * from final
