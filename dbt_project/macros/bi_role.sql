{#- The read-only BI role (var `bi_role`, overridden by WAREHOUSE_BI_ROLE when set): select on gold
    and nothing else (bronze and silver stay private). Postgres only: DuckDB has no roles, and dbt-duckdb ignores grants. -#}

{% macro bi_role() -%}
    {{- return(env_var('WAREHOUSE_BI_ROLE', var('bi_role'))) -}}
{%- endmacro %}

{% macro create_bi_role() -%}
    {{- return(adapter.dispatch('create_bi_role', 'linkedin_ads')()) -}}
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

{% macro postgres__grant_gold_usage() -%}
    grant usage on schema gold to "{{ bi_role() }}"
{%- endmacro %}

{#- DuckDB (and any engine without roles): nothing to create or grant. -#}
{% macro default__create_bi_role() -%}
    select 1
{%- endmacro %}

{% macro default__grant_gold_usage() -%}
    select 1
{%- endmacro %}

{#- Spark: open-source Spark SQL has no GRANT (access to its catalog and lake is the metastore's
    and the storage's business: Ranger, Unity Catalog, bucket policies), so the models' `grants`
    are not applied there. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
