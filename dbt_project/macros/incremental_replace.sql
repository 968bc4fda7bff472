{#- How an incremental model replaces what it rebuilds: the facts whole days (or months) of the
    lookback window, the current dimensions every row.
    DuckDB and Postgres: delete+insert on the model's unique_key. Spark (plain Parquet tables, no
    delete or merge without Delta or Iceberg): insert_overwrite, of the partitions the new rows
    fall in when the model is partitioned by its day (or month) column, of the whole table when it
    is not (the dimensions). Both replace exactly the same rows. -#}

{% macro replace_strategy() -%}
    {{- return(adapter.dispatch('replace_strategy', 'linkedin_ads')()) -}}
{%- endmacro %}

{% macro default__replace_strategy() -%}
    {{- return('delete+insert') -}}
{%- endmacro %}

{% macro spark__replace_strategy() -%}
    {{- return('insert_overwrite') -}}
{%- endmacro %}

{#- The partition column of a model that replaces whole days: `column` on Spark, none elsewhere. -#}
{% macro replace_partition(column) -%}
    {{- return(adapter.dispatch('replace_partition', 'linkedin_ads')(column)) -}}
{%- endmacro %}

{% macro default__replace_partition(column) -%}
    {{- return(none) -}}
{%- endmacro %}

{% macro spark__replace_partition(column) -%}
    {{- return(column) -}}
{%- endmacro %}
