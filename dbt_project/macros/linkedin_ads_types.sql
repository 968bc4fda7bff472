{#- Type names that mean the same thing on DuckDB and Postgres (model contracts compare them). -#}

{#-
    Money and decimal metrics. Never a bare `numeric`: on DuckDB that is DECIMAL(18,3) and silently
    rounds money to 3 decimals. 38,18 is what dlt writes for the API's BigDecimal strings.
-#}
{% macro type_money() -%}
    numeric(38, 18)
{%- endmacro %}

{#- Ratios of sums (ctr, cpc, roas, ...): DuckDB divides decimals in double precision anyway. -#}
{% macro type_ratio() -%}
    {{ return(adapter.dispatch('type_ratio', 'linkedin_ads')()) }}
{%- endmacro %}

{% macro default__type_ratio() -%}
    double precision
{%- endmacro %}

{% macro spark__type_ratio() -%}
    double
{%- endmacro %}

{#- Spark SQL has no `text` or `double precision`: the types the model contracts declare (the
    DuckDB and Postgres names) are cast under Spark's names (dbt builds a contract's expected
    columns with cast(null as <data_type>), so this keeps one set of contracts for all engines). -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_names = {'text': 'string', 'double precision': 'double'} -%}
    cast({{ field }} as {{ spark_names.get(type | trim | lower, type) }})
{%- endmacro %}
