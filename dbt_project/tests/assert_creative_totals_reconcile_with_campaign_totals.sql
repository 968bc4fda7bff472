{#-
    Per campaign and day, the creative-level analytics add up to the campaign-level analytics, for
    every gold metric. Fails on each campaign-day and metric where
    |campaign - sum(creatives)| > reconciliation_tolerance * |campaign| (default 0: exact, which
    holds on the sandbox; real LinkedIn data may need a small tolerance, see dbt_project.yml).
-#}
{%- set tolerance = var('reconciliation_tolerance') %}

with

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

creative_performance as (

    select * from {{ ref('fct_creative_performance_daily') }}

),

creatives_summed as (

    select
        date_day,
        campaign_id,
        {{ summed_gold_metrics() }}
    from creative_performance
    group by date_day, campaign_id

),

campaign_and_creatives as (

    select
        {% for metric in gold_metrics() -%}
        coalesce(campaign_performance.{{ metric.name }}, 0) as campaign_{{ metric.name }},
        coalesce(creatives_summed.{{ metric.name }}, 0) as creatives_{{ metric.name }},
        {% endfor -%}
        coalesce(campaign_performance.date_day, creatives_summed.date_day) as date_day,
        coalesce(campaign_performance.campaign_id, creatives_summed.campaign_id) as campaign_id
    from campaign_performance
    full outer join creatives_summed
        on
            campaign_performance.date_day = creatives_summed.date_day
            and campaign_performance.campaign_id = creatives_summed.campaign_id

),

mismatches as (

    {% for metric in gold_metrics() %}
    select
        date_day,
        campaign_id,
        '{{ metric.name }}' as metric,
        cast(campaign_{{ metric.name }} as {{ type_money() }}) as campaign_value,
        cast(creatives_{{ metric.name }} as {{ type_money() }}) as creatives_value
    from campaign_and_creatives
    where
        abs(campaign_{{ metric.name }} - creatives_{{ metric.name }})
        > {{ tolerance }} * abs(campaign_{{ metric.name }})
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from mismatches
