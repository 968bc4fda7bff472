{#-
    Days of already-built history an incremental run of a daily fact rebuilds: the var
    `lookback_days` when the user sets it (--vars), else the ingest attribution window
    (SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS, which the pipeline always sets for dbt),
    so restated conversions are re-read by dlt and rebuilt by dbt over the same days.
-#}
{% macro lookback_days() -%}
    {%- set days = var('lookback_days', none) -%}
    {%- if days is none -%}
        {%- set days = env_var('SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS', '') or none -%}
    {%- endif -%}
    {%- if days is none -%}
        {{ exceptions.raise_compiler_error(
            "lookback_days is not set: pass --vars '{lookback_days: N}' or set "
            ~ "SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS (the ingest attribution window)"
        ) }}
    {%- endif -%}
    {{ return(days | int) }}
{%- endmacro %}

{#- The first day an incremental run rebuilds, as a scalar subquery over the built `relation`:
    (latest `built_day_column` - lookback_days), or with grain 'month' the first day of that
    month; 1900-01-01 when the relation is empty. -#}
{% macro lookback_start(relation, built_day_column, grain='day') -%}
    {%- set start = dbt.dateadd('day', -1 * lookback_days(), 'max(' ~ built_day_column ~ ')') -%}
    {%- if grain == 'month' -%}
        {%- set start = 'cast(' ~ dbt.date_trunc('month', start) ~ ' as date)' -%}
    {%- endif -%}
    (select coalesce({{ start }}, cast('1900-01-01' as date)) from {{ relation }})
{%- endmacro %}

{#- The incremental filter of the facts: on an incremental run, keep the days from
    (latest day already built - lookback_days) on, so delete+insert replaces those whole days (or,
    with grain 'month', those whole months). Relative to the data, not the wall clock; a full
    refresh (or the first run) keeps everything. `built_day_column` names the latest-day column of
    the built model when it differs from `day_column`. -#}
{% macro lookback_filter(day_column, built_day_column=none, grain='day') -%}
    {%- if is_incremental() %}
        where {{ day_column }} >= {{ lookback_start(this, built_day_column or day_column, grain) }}
    {%- endif %}
{%- endmacro %}
