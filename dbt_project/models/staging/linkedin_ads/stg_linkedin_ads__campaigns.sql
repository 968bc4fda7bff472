with

source as (

    select * from {{ source('linkedin_ads', 'campaigns') }}

),

renamed as (

    select
        cast(id as bigint) as campaign_id,
        {{ urn_id('account') }} as account_id,
        {{ urn_id('campaign_group') }} as campaign_group_id,
        account as account_urn,
        campaign_group as campaign_group_urn,
        associated_entity as associated_entity_urn,
        _dlt_load_id as dlt_load_id,
        name as campaign_name,
        status as campaign_status,
        type as campaign_type,
        cost_type,
        objective_type,
        {{ json_string_list('serving_statuses') }} as serving_statuses,
        optimization_target_type,
        format as campaign_format,
        creative_selection,
        pacing_strategy,
        locale__country as locale_country,
        locale__language as locale_language,
        version__version_tag as version_tag,
        daily_budget__currency_code as daily_budget_currency_code,
        total_budget__currency_code as total_budget_currency_code,
        unit_cost__currency_code as unit_cost_currency_code,
        cast(targeting_criteria as {{ dbt.type_string() }}) as targeting_criteria_json,
        cast(offsite_preferences as {{ dbt.type_string() }}) as offsite_preferences_json,
        cast(daily_budget__amount as {{ type_money() }}) as daily_budget_amount,
        cast(total_budget__amount as {{ type_money() }}) as total_budget_amount,
        cast(unit_cost__amount as {{ type_money() }}) as unit_cost_amount,
        cast(test as boolean) as is_test,
        cast(audience_expansion_enabled as boolean) as is_audience_expansion_enabled,
        cast(offsite_delivery_enabled as boolean) as is_offsite_delivery_enabled,
        {{ epoch_ms_to_timestamp('run_schedule__start') }} as run_schedule_start_at,
        {{ epoch_ms_to_timestamp('run_schedule__end') }} as run_schedule_end_at,
        {{ epoch_ms_to_timestamp('change_audit_stamps__created__time') }} as created_at,
        {{ epoch_ms_to_timestamp('change_audit_stamps__last_modified__time') }} as last_modified_at
    from source

)

select * from renamed
