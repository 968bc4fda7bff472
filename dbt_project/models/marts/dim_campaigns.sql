{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        unique_key='campaign_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['campaign_id'], ['account_id']]),
    )
}}

{#- Incremental only to be rewritten in place, every row on every run: replacing the table would
    drop the report views reading it on Postgres (DECISIONLOG.md: "The `*_report_daily` marts are views"). -#}

with

campaigns as (

    select * from {{ ref('int_campaigns_scoped') }}

),

final as (

    select
        campaign_id,
        account_id,
        campaign_group_id,
        campaign_name,
        campaign_status,
        campaign_type,
        cost_type,
        objective_type,
        daily_budget_amount,
        total_budget_amount,
        coalesce(
            daily_budget_currency_code,
            total_budget_currency_code,
            unit_cost_currency_code,
            account_currency_code
        ) as currency_code,
        run_schedule_start_at,
        run_schedule_end_at,
        created_at,
        last_modified_at,
        optimization_target_type,
        campaign_format,
        creative_selection,
        pacing_strategy,
        locale_country,
        locale_language,
        serving_statuses,
        unit_cost_amount,
        is_test,
        is_audience_expansion_enabled,
        is_offsite_delivery_enabled
    from campaigns

)

select * from final
