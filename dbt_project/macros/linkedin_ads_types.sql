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
    double precision
{%- endmacro %}
