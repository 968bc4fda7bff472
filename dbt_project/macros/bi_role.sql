{#- The read-only BI role: select on gold and nothing else (bronze and silver stay private).
    Its name comes from WAREHOUSE_BI_ROLE (default linkedin_ads_bi). Postgres only: DuckDB has no
    roles, and dbt-duckdb ignores grants. -#}

{% macro bi_role() -%}
    {{- return(env_var('WAREHOUSE_BI_ROLE', 'linkedin_ads_bi')) -}}
{%- endmacro %}


{% macro create_bi_role() -%}
    {{- return(adapter.dispatch('create_bi_role', 'linkedin_ads')()) -}}
{%- endmacro %}

{% macro default__create_bi_role() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_bi_role() -%}
    do $$
    begin
        if not exists (select from pg_roles where rolname = '{{ bi_role() }}') then
            create role "{{ bi_role() }}" nologin;
        end if;
    end
    $$
{%- endmacro %}


{% macro grant_gold_usage() -%}
    {{- return(adapter.dispatch('grant_gold_usage', 'linkedin_ads')()) -}}
{%- endmacro %}

{% macro default__grant_gold_usage() -%}
    select 1
{%- endmacro %}

{% macro postgres__grant_gold_usage() -%}
    grant usage on schema gold to "{{ bi_role() }}"
{%- endmacro %}
