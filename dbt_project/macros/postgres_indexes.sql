{#-
    The `indexes` config of a gold table: btree indexes over the given column lists on Postgres,
    where BI filters gold by day and by account, campaign or creative id; none elsewhere. DuckDB
    would build ART indexes, which serve only point lookups (its min-max zone maps already skip
    row groups by day) and slow every delete+insert, so the list is empty there.
-#}
{% macro postgres_indexes(column_lists) -%}
    {%- if target.type != 'postgres' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set indexes = [] -%}
    {%- for columns in column_lists -%}
        {%- do indexes.append({'columns': columns}) -%}
    {%- endfor -%}
    {{ return(indexes) }}
{%- endmacro %}
