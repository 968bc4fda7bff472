with

source as (

    select * from {{ source('linkedin_ads', '_sync_runs') }}

),

renamed as (

    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(command as {{ dbt.type_string() }}) as run_command,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at,
        cast(status as {{ dbt.type_string() }}) as run_status,
        api_base_url,
        is_sandbox,
        full_refresh as is_full_refresh,
        loaded as is_loaded,
        cast(api_requests as bigint) as api_requests,
        rows_loaded as rows_loaded_json,
        warnings as warnings_json,
        stopped_reason
    from source

)

select * from renamed
