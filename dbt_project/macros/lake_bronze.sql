{#- Bronze on Spark: dlt appends Parquet files to one lake folder per table (plain Parquet has no
    delete or merge), so the rows of every load of a key are there. At the start of each dbt
    command this registers each folder as a view `bronze.<table>` that keeps, per natural key, the
    rows of the latest load: what dlt's merge leaves on the other engines (reruns never duplicate,
    a restated day replaces the earlier one). The folders, keys and load order come from
    LAKE_BRONZE_TABLES (JSON, set by ingest/dbt_runner.py from dlt's schema). The view is
    recreated every time, so columns the API adds appear. Other engines: bronze is dlt's tables. -#}

{% macro register_lake_bronze() -%}
    {{- return(adapter.dispatch('register_lake_bronze', 'linkedin_ads')()) -}}
{%- endmacro %}

{% macro default__register_lake_bronze() -%}{%- endmacro %}

{% macro spark__register_lake_bronze() -%}
    {%- if execute -%}
        {%- set tables = fromjson(env_var('LAKE_BRONZE_TABLES', '{}')) -%}
        {%- do run_query('create schema if not exists bronze') -%}
        {%- for name, table in tables.items() -%}
            {%- do run_query(lake_bronze_view(name, table.location, table.key, table.order)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro lake_bronze_view(name, location, key, order) -%}
    {%- set files = "parquet.`" ~ location ~ "`" -%}
    {%- set load_order = "cast(" ~ order ~ " as decimal(38, 6))" -%}
    create or replace view bronze.`{{ name }}` as
    select files.*
    from {{ files }} as files
    {%- if key %}
        left semi join (
            select
                {{ key | join(', ') }},
                max({{ load_order }}) as latest_load
            from {{ files }}
            group by {{ key | join(', ') }}
        ) as latest
            on
            {%- for column in key %}
                files.{{ column }} = latest.{{ column }} and
            {%- endfor %}
                cast(files.{{ order }} as decimal(38, 6)) = latest.latest_load
    {%- endif %}
{%- endmacro %}

{#- `dbt run-operation drop_derived_schemas`: drop silver and gold (snapshot history included),
    for a run that starts over on data of another origin, on an engine the pipeline reaches only
    through dbt (Spark). -#}
{% macro drop_derived_schemas() -%}
    {%- for schema in ['gold', 'silver'] -%}
        {%- do adapter.drop_schema(api.Relation.create(database=target.database, schema=schema)) -%}
    {%- endfor -%}
{%- endmacro %}
