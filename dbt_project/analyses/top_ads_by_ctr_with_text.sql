{#-
    Dashboard "Top ads by CTR, with what they say": the ten creatives with text (sponsored posts,
    text ads) with the highest click-through rate over the loaded history, among those with at
    least 1,000 impressions, with their headline and their text cut to 100 characters.
-#}
with

creative_performance as (

    select * from {{ ref('creative_report_daily') }}

),

days_of_creatives_with_text as (

    select
        creative_id,
        creative_name,
        creative_headline,
        case
            when length(creative_text) > 100 then rtrim(substr(creative_text, 1, 97)) || '...'
            else creative_text
        end as ad_text,
        account_name,
        impressions,
        clicks
    from creative_performance
    where creative_text is not null

),

creative_totals as (

    select
        creative_id,
        creative_name,
        creative_headline,
        ad_text,
        account_name,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from days_of_creatives_with_text
    group by creative_id, creative_name, creative_headline, ad_text, account_name
    having sum(impressions) >= 1000

),

final as (

    select
        creative_id,
        creative_name,
        creative_headline,
        ad_text,
        account_name,
        impressions,
        clicks,
        clicks * 1.0 / impressions as ctr
    from creative_totals
    order by ctr desc
    limit 10

)

select * from final
