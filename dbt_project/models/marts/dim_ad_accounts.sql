{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        unique_key='account_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['account_id']]),
    )
}}

{#- Incremental only to be rewritten in place, every row on every run: replacing the table would
    drop the report views reading it on Postgres (DECISIONLOG.md: "The `*_report_daily` marts are views"). -#}

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
