{#-
    Dashboard "Last 7 days against the 7 before": per account, spend, clicks, leads and cost per
    lead in the 7 days up to the last loaded day against the 7 days before them (account currency).
-#}
with

account_performance as (

    select * from {{ ref('account_report_daily') }}

),

last_loaded as (

    select max(date_day) as last_day from account_performance

),

days_in_periods as (

    select
        account_performance.account_name,
        account_performance.currency_code,
        account_performance.cost_local,
        account_performance.clicks,
        account_performance.leads,
        case
            when account_performance.date_day > last_loaded.last_day - 7 then 'this'
            when account_performance.date_day > last_loaded.last_day - 14 then 'previous'
        end as period
    from account_performance
    cross join last_loaded

),

per_account as (

    select
        account_name,
        currency_code,
        sum(case when period = 'this' then cost_local else 0 end) as spend_this_period,
        sum(case when period = 'previous' then cost_local else 0 end) as spend_previous_period,
        sum(case when period = 'this' then clicks else 0 end) as clicks_this_period,
        sum(case when period = 'previous' then clicks else 0 end) as clicks_previous_period,
        sum(case when period = 'this' then leads else 0 end) as leads_this_period,
        sum(case when period = 'previous' then leads else 0 end) as leads_previous_period
    from days_in_periods
    where period is not null
    group by account_name, currency_code

),

final as (

    select
        *,
        (spend_this_period - spend_previous_period)
        / nullif(spend_previous_period, 0) as spend_change,
        spend_this_period / nullif(leads_this_period, 0) as cost_per_lead_this_period,
        spend_previous_period / nullif(leads_previous_period, 0) as cost_per_lead_previous_period
    from per_account

)

select * from final
