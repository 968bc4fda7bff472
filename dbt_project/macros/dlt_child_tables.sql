{#-
    dlt creates a child table (`<table>__<list field>`) only once some record has a value in the
    list: an account whose creatives never had a hold reason has no creatives__serving_hold_reasons.
    The staging views of child tables read the table when it exists and an empty relation with
    dlt's child-table columns when it does not, so `dbt build` works on any bronze.
-#}
{% macro relation_exists(relation) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(load_relation(relation) is not none) }}
{%- endmacro %}

{% macro select_dlt_child_table(relation) -%}
    {%- if relation_exists(relation) -%}
        select * from {{ relation }}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as value,
            cast(null as {{ dbt.type_string() }}) as _dlt_root_id,
            cast(null as {{ dbt.type_string() }}) as _dlt_parent_id,
            cast(null as bigint) as _dlt_list_idx,
            cast(null as {{ dbt.type_string() }}) as _dlt_id
        where 1 = 0
    {%- endif -%}
{%- endmacro %}
