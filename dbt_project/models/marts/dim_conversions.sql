{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        unique_key='conversion_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['conversion_id'], ['account_id']]),
    )
}}

{#- Incremental only to be rewritten in place, every row on every run, like the other dimensions. A
    rule's value currency is its own, else its account's. -#}

with

conversions as (

    select * from {{ ref('stg_linkedin_ads__conversions') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

final as (

    select
        conversions.conversion_id,
        conversions.account_id,
        conversions.conversion_urn,
        conversions.conversion_name,
        conversions.conversion_type,
        conversions.attribution_type,
        conversions.conversion_method,
        coalesce(conversions.value_currency_code, accounts.currency_code) as currency_code,
        conversions.value_amount as value_local,
        conversions.post_click_window_days,
        conversions.view_through_window_days,
        conversions.is_enabled,
        conversions.created_at,
        conversions.last_modified_at
    from conversions
    left join accounts
        on conversions.account_id = accounts.account_id

)

select * from final
