{#- dlt child table of campaigns.serving_statuses: one row per value;
    join to stg_linkedin_ads__campaigns on parent_dlt_id = dlt_id. -#}
{{ stg_dlt_child_list(source('linkedin_ads', 'campaigns__serving_statuses'), 'serving_status') }}
