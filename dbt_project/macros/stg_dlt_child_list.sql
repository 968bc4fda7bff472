{#- The staging view of a dlt child table of a list of strings (serving statuses, hold reasons,
    rejection reasons): one row per value, carrying only dlt's keys (join to the parent's staging
    view on parent_dlt_id = dlt_id). Empty when dlt has not created the table yet (no record had a
    value). Each model passes its own source() so that lineage stays in the model. -#}
{% macro stg_dlt_child_list(source_relation, value_column) %}
with

source as (

    {{ select_dlt_child_table(source_relation) }}

),

renamed as (

    select
        _dlt_id as dlt_id,
        _dlt_parent_id as parent_dlt_id,
        _dlt_root_id as root_dlt_id,
        value as {{ value_column }},
        cast(_dlt_list_idx as bigint) as list_index
    from source

)

select * from renamed
{% endmacro %}
