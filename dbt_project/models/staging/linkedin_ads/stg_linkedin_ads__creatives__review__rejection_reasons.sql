{#- dlt child table of creatives.review__rejection_reasons: one row per value;
    join to stg_linkedin_ads__creatives on parent_dlt_id = dlt_id. -#}
{{ stg_dlt_child_list(source('linkedin_ads', 'creatives__review__rejection_reasons'), 'rejection_reason') }}
