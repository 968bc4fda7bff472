with

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

serving_statuses as (

    select * from {{ ref('int_entity_status_lists') }}
    where entity_type = 'campaign' and list_name = 'serving_statuses'

),

final as (

    select
        campaigns.campaign_id,
        campaigns.account_id,
        campaigns.campaign_group_id,
        campaigns.campaign_name,
        campaigns.campaign_status,
        campaigns.campaign_type,
        campaigns.cost_type,
        campaigns.objective_type,
        campaigns.daily_budget_amount,
        campaigns.total_budget_amount,
        coalesce(
            campaigns.daily_budget_currency_code,
            campaigns.total_budget_currency_code,
            campaigns.unit_cost_currency_code,
            accounts.currency_code
        ) as currency_code,
        campaigns.run_schedule_start_at,
        campaigns.run_schedule_end_at,
        campaigns.created_at,
        campaigns.last_modified_at,
        campaigns.optimization_target_type,
        campaigns.campaign_format,
        campaigns.creative_selection,
        campaigns.pacing_strategy,
        campaigns.locale_country,
        campaigns.locale_language,
        serving_statuses.list_values as serving_statuses,
        campaigns.unit_cost_amount,
        campaigns.is_test,
        campaigns.is_audience_expansion_enabled,
        campaigns.is_offsite_delivery_enabled
    from campaigns
    left join accounts
        on campaigns.account_id = accounts.account_id
    left join serving_statuses
        on campaigns.campaign_id = serving_statuses.entity_id

)

select * from final
