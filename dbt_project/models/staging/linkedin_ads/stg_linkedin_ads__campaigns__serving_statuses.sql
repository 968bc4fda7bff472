{#-
    dlt child table of campaigns.serving_statuses (a list of strings): one row per value. It carries only dlt's
    keys; join to stg_linkedin_ads__campaigns on parent_dlt_id = dlt_id for the business key.
    Empty when dlt has not created the table yet (no record had a value).
-#}
with

source as (

    {{ select_dlt_child_table(source('linkedin_ads', 'campaigns__serving_statuses')) }}

),

renamed as (

    select
        _dlt_id as dlt_id,
        _dlt_parent_id as parent_dlt_id,
        _dlt_root_id as root_dlt_id,
        value as serving_status,
        cast(_dlt_list_idx as bigint) as list_index
    from source

)

select * from renamed
