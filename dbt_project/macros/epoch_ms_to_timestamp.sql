{#-
    LinkedIn sends instants as epoch milliseconds (bigint). Returns a `timestamp` (without time
    zone) holding the UTC wall-clock time, the same type and value on DuckDB and Postgres.
-#}
{% macro epoch_ms_to_timestamp(epoch_ms) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'linkedin_ads')(epoch_ms)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(epoch_ms) -%}
    (to_timestamp({{ epoch_ms }} / 1000.0) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(epoch_ms) -%}
    epoch_ms(cast({{ epoch_ms }} as bigint))
{%- endmacro %}

{#- Spark: its timestamp is an instant shown in the session time zone, UTC (spark-defaults.conf). -#}
{% macro spark__epoch_ms_to_timestamp(epoch_ms) -%}
    timestamp_millis(cast({{ epoch_ms }} as bigint))
{%- endmacro %}
