{#-
    `select * from` a bronze table that dlt creates only once it has rows (posts: once a run has
    read a post), else a relation with the given columns and no rows, so the staging view and the
    models reading it build on every warehouse. dbt rebuilds views every run: the view reads the
    table from the first build after it appears.
-#}
{% macro source_if_loaded(relation, column_types) -%}
    {%- if not execute or load_relation(relation) is not none -%}
        select * from {{ relation }}
    {%- else -%}
        select
        {%- for column, data_type in column_types.items() %}
            cast(null as {{ data_type }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
        where 1 = 0
    {%- endif -%}
{%- endmacro %}
