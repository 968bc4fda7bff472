{#-
    Dashboard "Performance by account and week" and "Weekly spend by account": per account and
    week (Monday start), spend, impressions, clicks, CTR, CPC, CPM, conversions, leads and cost per
    lead. Money in the account currency; ratios from the sums, null where the denominator is 0.
-#}
with

account_performance as (

    select * from {{ ref('account_report_daily') }}

),

weekly as (

    select
        account_name,
        currency_code,
        cast(date_trunc('week', date_day) as date) as week_start,
        sum(cost_local) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(leads) as leads
    from account_performance
    group by account_name, currency_code, cast(date_trunc('week', date_day) as date)

),

final as (

    select
        account_name,
        currency_code,
        week_start,
        spend,
        impressions,
        clicks,
        conversions,
        leads,
        clicks * 1.0 / nullif(impressions, 0) as ctr,
        spend / nullif(clicks, 0) as cpc,
        1000 * spend / nullif(impressions, 0) as cpm,
        spend / nullif(leads, 0) as cost_per_lead
    from weekly

)

select * from final
