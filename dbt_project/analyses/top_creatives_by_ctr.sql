{#-
    Dashboard "Top creatives by CTR": the ten creatives with the highest click-through rate over
    the loaded history, among creatives with at least 1,000 impressions, with their names.
-#}
with

creative_performance as (

    select * from {{ ref('creative_report_daily') }}

),

creative_totals as (

    select
        creative_id,
        creative_name,
        campaign_name,
        account_name,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from creative_performance
    group by creative_id, creative_name, campaign_name, account_name
    having sum(impressions) >= 1000

),

final as (

    select
        creative_id,
        creative_name,
        campaign_name,
        account_name,
        impressions,
        clicks,
        clicks * 1.0 / impressions as ctr
    from creative_totals
    order by ctr desc
    limit 10

)

select * from final
