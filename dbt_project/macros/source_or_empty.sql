{#- A bronze table, or an empty stand-in with `columns` when the load never created it (see
    _macros.yml: a report the API does not serve leaves its table without a first row). -#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = adapter.get_relation(relation.database, relation.schema, relation.identifier) if execute else relation -%}
    {%- if found is none -%}
        (
            select
            {%- for name, type in columns.items() %}
                cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
            where 1 = 0
        ) as empty_{{ table_name }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
