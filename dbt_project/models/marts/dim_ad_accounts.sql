with

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

serving_statuses as (

    select * from {{ ref('int_entity_status_lists') }}
    where entity_type = 'account' and list_name = 'serving_statuses'

),

final as (

    select
        accounts.account_id,
        accounts.account_urn,
        accounts.reference_urn,
        accounts.account_name,
        accounts.currency_code,
        accounts.account_status,
        accounts.account_type,
        serving_statuses.list_values as serving_statuses,
        accounts.total_budget_amount,
        accounts.is_test,
        accounts.created_at,
        accounts.last_modified_at
    from accounts
    left join serving_statuses
        on accounts.account_id = serving_statuses.entity_id

)

select * from final
