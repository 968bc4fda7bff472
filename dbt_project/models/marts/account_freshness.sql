with

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

campaign_days as (

    select
        account_id,
        max(date_day) as last_loaded_day
    from {{ ref('fct_campaign_performance_daily') }}
    group by account_id

),

successful_runs as (

    select max(finished_at) as last_successful_run_at
    from {{ ref('sync_runs') }}
    where run_status = 'success'

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        campaign_days.last_loaded_day,
        successful_runs.last_successful_run_at
    from accounts
    left join campaign_days on accounts.account_id = campaign_days.account_id
    cross join successful_runs

)

select * from final
