{#-
    Serving statuses (accounts, campaign groups, campaigns) and serving hold reasons (creatives)
    folded from dlt's child tables into one comma-separated list per entity, in the API's order
    (list_index: collation-independent, so identical on DuckDB and Postgres).
    One row per entity that has at least one value.
-#}
with

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

account_statuses as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts__serving_statuses') }}

),

campaign_groups as (

    select * from {{ ref('stg_linkedin_ads__campaign_groups') }}

),

campaign_group_statuses as (

    select * from {{ ref('stg_linkedin_ads__campaign_groups__serving_statuses') }}

),

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

campaign_statuses as (

    select * from {{ ref('stg_linkedin_ads__campaigns__serving_statuses') }}

),

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

creative_hold_reasons as (

    select * from {{ ref('stg_linkedin_ads__creatives__serving_hold_reasons') }}

),

values_joined_to_entities as (

    select
        'account' as entity_type,
        accounts.account_id as entity_id,
        account_statuses.serving_status as status_value,
        account_statuses.list_index
    from account_statuses
    inner join accounts on account_statuses.parent_dlt_id = accounts.dlt_id

    union all

    select
        'campaign_group' as entity_type,
        campaign_groups.campaign_group_id as entity_id,
        campaign_group_statuses.serving_status as status_value,
        campaign_group_statuses.list_index
    from campaign_group_statuses
    inner join campaign_groups on campaign_group_statuses.parent_dlt_id = campaign_groups.dlt_id

    union all

    select
        'campaign' as entity_type,
        campaigns.campaign_id as entity_id,
        campaign_statuses.serving_status as status_value,
        campaign_statuses.list_index
    from campaign_statuses
    inner join campaigns on campaign_statuses.parent_dlt_id = campaigns.dlt_id

    union all

    select
        'creative' as entity_type,
        creatives.creative_id as entity_id,
        creative_hold_reasons.serving_hold_reason as status_value,
        creative_hold_reasons.list_index
    from creative_hold_reasons
    inner join creatives on creative_hold_reasons.parent_dlt_id = creatives.dlt_id

),

final as (

    select
        entity_type,
        entity_id,
        {{ dbt.listagg("status_value", "', '", "order by list_index") }} as status_values
    from values_joined_to_entities
    group by entity_type, entity_id

)

select * from final
