{#- account_report_daily holds, per account and day, exactly the sums of its campaigns' daily facts. -#}
with

account_report as (

    select * from {{ ref('account_report_daily') }}

),

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

campaigns_summed as (

    select
        date_day,
        account_id,
        {{ summed_gold_metrics() }}
    from campaign_performance
    group by date_day, account_id

),

compared as (

    select
        {% for metric in gold_metrics() -%}
        account_report.{{ metric.name }} <> campaigns_summed.{{ metric.name }} as is_{{ metric.name }}_different,
        {% endfor -%}
        coalesce(account_report.date_day, campaigns_summed.date_day) as date_day,
        coalesce(account_report.account_id, campaigns_summed.account_id) as account_id,
        account_report.date_day is null as is_missing_in_report,
        campaigns_summed.date_day is null as is_missing_in_campaigns
    from account_report
    full outer join campaigns_summed
        on
            account_report.date_day = campaigns_summed.date_day
            and account_report.account_id = campaigns_summed.account_id

)

select * from compared
where
    is_missing_in_report
    or is_missing_in_campaigns
    {%- for metric in gold_metrics() %}
    or is_{{ metric.name }}_different
    {%- endfor %}
