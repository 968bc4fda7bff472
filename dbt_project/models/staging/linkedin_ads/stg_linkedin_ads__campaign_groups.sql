with

source as (

    select * from {{ source('linkedin_ads', 'campaign_groups') }}

),

renamed as (

    select
        cast(id as bigint) as campaign_group_id,
        {{ urn_id('account') }} as account_id,
        account as account_urn,
        _dlt_load_id as dlt_load_id,
        name as campaign_group_name,
        status as campaign_group_status,
        {{ json_string_list('serving_statuses') }} as serving_statuses,
        total_budget__currency_code as total_budget_currency_code,
        daily_budget__currency_code as daily_budget_currency_code,
        cast(total_budget__amount as {{ type_money() }}) as total_budget_amount,
        cast(daily_budget__amount as {{ type_money() }}) as daily_budget_amount,
        cast(test as boolean) as is_test,
        cast(backfilled as boolean) as is_backfilled,
        {{ epoch_ms_to_timestamp('run_schedule__start') }} as run_schedule_start_at,
        {{ epoch_ms_to_timestamp('run_schedule__end') }} as run_schedule_end_at,
        {{ epoch_ms_to_timestamp('change_audit_stamps__created__time') }} as created_at,
        {{ epoch_ms_to_timestamp('change_audit_stamps__last_modified__time') }} as last_modified_at
    from source

)

select * from renamed
