{#-
    The list fields that dlt splits into child tables, folded back into one comma-separated list
    per entity and list, in the API's order (list_index: collation-independent, so identical on
    DuckDB and Postgres): serving statuses of accounts, campaign groups and campaigns, serving hold
    reasons and review rejection reasons of creatives.
-#}
{%- set lists = [
    ('account', 'account_id', 'serving_statuses', 'stg_linkedin_ads__ad_accounts', 'stg_linkedin_ads__ad_accounts__serving_statuses', 'serving_status'),
    ('campaign_group', 'campaign_group_id', 'serving_statuses', 'stg_linkedin_ads__campaign_groups', 'stg_linkedin_ads__campaign_groups__serving_statuses', 'serving_status'),
    ('campaign', 'campaign_id', 'serving_statuses', 'stg_linkedin_ads__campaigns', 'stg_linkedin_ads__campaigns__serving_statuses', 'serving_status'),
    ('creative', 'creative_id', 'serving_hold_reasons', 'stg_linkedin_ads__creatives', 'stg_linkedin_ads__creatives__serving_hold_reasons', 'serving_hold_reason'),
    ('creative', 'creative_id', 'review_rejection_reasons', 'stg_linkedin_ads__creatives', 'stg_linkedin_ads__creatives__review__rejection_reasons', 'rejection_reason'),
] %}

with

{% for entity_type, id_column, list_name, parent_model, child_model, value_column in lists %}
{{ list_name }}_of_{{ entity_type }} as (

    select
        '{{ entity_type }}' as entity_type,
        parents.{{ id_column }} as entity_id,
        '{{ list_name }}' as list_name,
        children.{{ value_column }} as list_value,
        children.list_index
    from {{ ref(child_model) }} as children
    inner join {{ ref(parent_model) }} as parents
        on children.parent_dlt_id = parents.dlt_id

),

{% endfor %}
values_unioned as (

    {% for entity_type, id_column, list_name, parent_model, child_model, value_column in lists %}
    select * from {{ list_name }}_of_{{ entity_type }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        entity_type,
        entity_id,
        list_name,
        {{ dbt.listagg("list_value", "', '", "order by list_index") }} as list_values
    from values_unioned
    group by entity_type, entity_id, list_name

)

select * from final
