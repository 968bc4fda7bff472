{#- dlt child table of ad_accounts.serving_statuses: one row per value;
    join to stg_linkedin_ads__ad_accounts on parent_dlt_id = dlt_id. -#}
{{ stg_dlt_child_list(source('linkedin_ads', 'ad_accounts__serving_statuses'), 'serving_status') }}
