with

source as (

    select * from {{ source('linkedin_ads', 'ad_accounts') }}

),

renamed as (

    select
        cast(id as bigint) as account_id,
        {{ dbt.concat(["'urn:li:sponsoredAccount:'", "cast(id as " ~ dbt.type_string() ~ ")"]) }} as account_urn,
        reference as reference_urn,
        _dlt_load_id as dlt_load_id,
        name as account_name,
        currency as currency_code,
        status as account_status,
        type as account_type,
        {{ json_string_list('serving_statuses') }} as serving_statuses,
        version__version_tag as version_tag,
        total_budget__currency_code as total_budget_currency_code,
        cast(total_budget__amount as {{ type_money() }}) as total_budget_amount,
        cast(test as boolean) as is_test,
        {{ epoch_ms_to_timestamp('change_audit_stamps__created__time') }} as created_at,
        {{ epoch_ms_to_timestamp('change_audit_stamps__last_modified__time') }} as last_modified_at
    from source

)

select * from renamed
