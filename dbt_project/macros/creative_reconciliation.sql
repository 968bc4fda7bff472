{#-
    Money is stored rounded (half-even) to the scale of type_money(); the scale is read from that
    type, so the rounding bound follows the storage type instead of a tolerance picked by hand.
-#}
{% macro money_scale() -%}
    {{ return(type_money().split(',')[1].replace(')', '').strip() | int) }}
{%- endmacro %}

{#- One unit in the last stored place of money (1e-18 for numeric(38, 18)), as a SQL literal. -#}
{% macro money_unit() -%}
    cast('0.{{ "0" * (money_scale() - 1) }}1' as {{ type_money() }})
{%- endmacro %}

{#-
    Per campaign, day and gold metric: the campaign-level value, the sum of the creative-level
    values and how they compare. One row per metric where the two differ at all.

    - `creative_rows`: creative rows summed; the campaign row is one more rounded value, so a money
      sum may differ from the campaign value by rounding alone, by at most
      (creative_rows + 1) x half a unit of the last stored place (`within_rounding`).
    - `creatives_above`: the creatives add up to more than the campaign beyond that rounding.
    - `settled`: the day is older than the days every run re-reads (lookback_days before the
      latest day of the campaign facts), so both values are LinkedIn's final ones, read in the same
      runs; on newer days the two reports were read minutes apart while LinkedIn still changes the
      day (today's delivery, restated conversions). Unknown window: no day is settled.

    Returns the rows matching `where` (a condition on creatives_above, creatives_below and
    settled), largest difference first, each with its `likely_cause`: `creatives_missing` (below:
    LinkedIn leaves deleted creatives out of the creative report), `day_still_changing` (above on a
    day every run re-reads) or `our_processing` (above on a settled day).
-#}
{% macro creative_vs_campaign_differences(where) %}
{#- lookback_days() raises when neither the var nor the pipeline's environment sets the window; a
    bare `dbt parse` or lint has neither, and then no day counts as settled (nothing can fail). -#}
{%- set settled_after = var('lookback_days', none) -%}
{%- if settled_after is none and env_var('SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS', '') -%}
    {%- set settled_after = lookback_days() -%}
{%- endif %}

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
        count(*) as creative_rows,
        {{ summed_gold_metrics() }}
    from creative_performance
    group by date_day, campaign_id

),

latest as (

    select max(date_day) as latest_day
    from campaign_performance

),

campaign_and_creatives as (

    select
        {% for metric in gold_metrics() -%}
        coalesce(campaign_performance.{{ metric.name }}, 0) as campaign_{{ metric.name }},
        coalesce(creatives_summed.{{ metric.name }}, 0) as creatives_{{ metric.name }},
        {% endfor -%}
        coalesce(creatives_summed.creative_rows, 0) as creative_rows,
        coalesce(campaign_performance.date_day, creatives_summed.date_day) as date_day,
        coalesce(campaign_performance.campaign_id, creatives_summed.campaign_id) as campaign_id
    from campaign_performance
    full outer join creatives_summed
        on
            campaign_performance.date_day = creatives_summed.date_day
            and campaign_performance.campaign_id = creatives_summed.campaign_id

),

metric_values as (

    {% for metric in gold_metrics() %}
    select
        campaign_id,
        date_day,
        '{{ metric.name }}' as metric,
        '{{ metric.kind }}' as metric_kind,
        creative_rows,
        cast(campaign_{{ metric.name }} as {{ type_money() }}) as campaign_value,
        cast(creatives_{{ metric.name }} as {{ type_money() }}) as creatives_value
    from campaign_and_creatives
    where campaign_{{ metric.name }} <> creatives_{{ metric.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

compared as (

    select
        metric_values.campaign_id,
        metric_values.date_day,
        metric_values.metric,
        metric_values.campaign_value,
        metric_values.creatives_value,
        metric_values.campaign_value - metric_values.creatives_value as difference,
        metric_values.creative_rows,
        (
            metric_values.metric_kind = 'money'
            and 2 * abs(metric_values.campaign_value - metric_values.creatives_value)
            <= (metric_values.creative_rows + 1) * {{ money_unit() }}
        ) as within_rounding,
        {% if settled_after is none -%}
        false as settled
        {%- else -%}
        metric_values.date_day
        < {{ dbt.dateadd('day', -1 * settled_after, 'latest.latest_day') }} as settled
        {%- endif %}
    from metric_values
    cross join latest

),

flagged as (

    select
        *,
        not within_rounding and difference < 0 as creatives_above,
        not within_rounding and difference > 0 as creatives_below
    from compared

),

final as (

    select
        campaign_id,
        date_day,
        metric,
        campaign_value,
        creatives_value,
        difference,
        creative_rows,
        case
            when creatives_below then 'creatives_missing'
            when not settled then 'day_still_changing'
            else 'our_processing'
        end as likely_cause
    from flagged
    where {{ where }}

)

select * from final
order by abs(difference) desc, campaign_id, date_day, metric

{% endmacro %}
