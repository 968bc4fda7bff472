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

{#- The incremental filter of the daily facts: on an incremental run, keep the days from
    (latest date_day already built - lookback_days) on, so delete+insert replaces those whole days.
    Relative to the data, not the wall clock; a full refresh (or the first run) keeps everything. -#}
{% macro lookback_filter(day_column) -%}
    {%- if is_incremental() %}
        where {{ day_column }} >= (
            select coalesce(
                {{ dbt.dateadd('day', -1 * lookback_days(), 'max(' ~ day_column ~ ')') }},
                cast('1900-01-01' as date)
            )
            from {{ this }}
        )
    {%- endif %}
{%- endmacro %}
