{#- The incremental filter of the daily facts: on an incremental run, keep the days from
    (latest date_day already built - lookback_days) on, so delete+insert replaces those whole days.
    Relative to the data, not the wall clock; a full refresh (or the first run) keeps everything. -#}
{% macro lookback_filter(day_column) -%}
    {%- if is_incremental() %}
        where {{ day_column }} >= (
            select coalesce(
                {{ dbt.dateadd('day', -1 * var('lookback_days'), 'max(' ~ day_column ~ ')') }},
                cast('1900-01-01' as date)
            )
            from {{ this }}
        )
    {%- endif %}
{%- endmacro %}
