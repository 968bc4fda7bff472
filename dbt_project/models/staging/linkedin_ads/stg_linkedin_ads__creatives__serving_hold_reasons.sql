{#- dlt child table of creatives.serving_hold_reasons: one row per value;
    join to stg_linkedin_ads__creatives on parent_dlt_id = dlt_id. -#}
{{ stg_dlt_child_list(source('linkedin_ads', 'creatives__serving_hold_reasons'), 'serving_hold_reason') }}
