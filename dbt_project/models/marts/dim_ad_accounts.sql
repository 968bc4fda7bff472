{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='account_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['account_id']]),
    )
}}

{#-
    Incremental only to be rebuilt in place: every row on every run (no is_incremental filter).
    The report views read this table, and when dbt replaces a table Postgres drops the views that
    read it: BI would lose them until the build recreates them, or for good if a node between fails.
-#}

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
