{{ config(indexes=postgres_indexes([['account_id']])) }}

with

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

final as (

    select
        account_id,
        account_urn,
        reference_urn,
        account_name,
        currency_code,
        account_status,
        account_type,
        serving_statuses,
        total_budget_amount,
        is_test,
        created_at,
        last_modified_at
    from accounts

)

select * from final
