{#- dlt child table of campaign_groups.serving_statuses: one row per value;
    join to stg_linkedin_ads__campaign_groups on parent_dlt_id = dlt_id. -#}
{{ stg_dlt_child_list(source('linkedin_ads', 'campaign_groups__serving_statuses'), 'serving_status') }}
