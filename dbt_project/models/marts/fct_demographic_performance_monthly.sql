{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        partition_by=replace_partition('date_month'),
        unique_key='date_month',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['date_month'], ['campaign_id', 'date_month']]),
        meta={'test_window': {
            'day_column': 'date_month', 'built_day_column': 'period_end_date', 'grain': 'month',
            'full_tests': ['relationships'],
        }},
    )
}}

{#-
    Monthly performance by member demographic, the eight member pivots stacked. Approximate by
    nature (LinkedIn thresholds and top-N limits member pivots): never reconcile it with the daily
    facts. Bronze keys rows on start_date, which is the month's first day or the requested start
    when later; if a month was loaded with two different starts, the row starting earliest (the
    widest period) wins.
    Incremental like the daily facts, by whole months: a run rebuilds every month from the month of
    (latest period_end_date already built - lookback_days) on, the months the ingest re-reads.
-#}
{%- set pivots = [
    'company', 'company_size', 'country', 'region', 'industry', 'job_function', 'job_title', 'seniority',
] %}

with

{% for pivot in pivots %}
member_{{ pivot }} as (

    select * from {{ ref('stg_linkedin_ads__ad_analytics_by_member_' ~ pivot) }}
    {{ lookback_filter('start_date', built_day_column='period_end_date', grain='month') }}

),

{% endfor %}
campaigns as (

    select * from {{ ref('int_campaigns_scoped') }}

),

pivots_unioned as (

    {% for pivot in pivots %}
    select * from member_{{ pivot }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

pivots_ranked as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'start_date') }} as date) as date_month,
        row_number() over (
            partition by
                campaign_id, demographic_pivot, demographic_value,
                cast({{ dbt.date_trunc('month', 'start_date') }} as date)
            order by start_date asc, end_date desc
        ) as period_rank
    from pivots_unioned

),

final as (

    select
        pivots_ranked.date_month,
        campaigns.account_id,
        pivots_ranked.campaign_id,
        pivots_ranked.demographic_pivot,
        pivots_ranked.demographic_value,
        campaigns.account_currency_code as currency_code,
        {{ gold_metrics_from_staging('pivots_ranked', member_pivots_only=true) }},
        pivots_ranked.start_date as period_start_date,
        pivots_ranked.end_date as period_end_date
    from pivots_ranked
    left join campaigns
        on pivots_ranked.campaign_id = campaigns.campaign_id
    where pivots_ranked.period_rank = 1

)

select * from final
