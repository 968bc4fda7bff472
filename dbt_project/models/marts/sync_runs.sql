with

runs as (

    select * from {{ ref('stg_linkedin_ads__sync_runs') }}

),

final as (

    select
        run_id,
        run_command,
        started_at,
        finished_at,
        run_status,
        api_base_url,
        is_sandbox,
        is_full_refresh,
        is_loaded,
        api_requests,
        rows_loaded_json,
        warnings_json,
        stopped_reason
    from runs

)

select * from final
