{%- set bronze_columns = {
    'id': 'bigint',
    'name': dbt.type_string(),
    'type': dbt.type_string(),
    'account': dbt.type_string(),
    'attribution_type': dbt.type_string(),
    'conversion_method': dbt.type_string(),
    'enabled': 'boolean',
    'post_click_attribution_window_size': 'bigint',
    'view_through_attribution_window_size': 'bigint',
    'value__amount': dbt.type_string(),
    'value__currency_code': dbt.type_string(),
    'created': 'bigint',
    'last_modified': 'bigint',
    '_dlt_load_id': dbt.type_string(),
} -%}

with

source as (

    select * from {{ source_or_empty('linkedin_ads', 'conversions', bronze_columns) }}

),

renamed as (

    select
        cast(id as bigint) as conversion_id,
        {{ urn_id('account') }} as account_id,
        'urn:lla:llaPartnerConversion:' || cast(id as {{ dbt.type_string() }}) as conversion_urn,
        account as account_urn,
        _dlt_load_id as dlt_load_id,
        name as conversion_name,
        type as conversion_type,
        attribution_type,
        conversion_method,
        value__currency_code as value_currency_code,
        cast(value__amount as {{ type_money() }}) as value_amount,
        cast(post_click_attribution_window_size as bigint) as post_click_window_days,
        cast(view_through_attribution_window_size as bigint) as view_through_window_days,
        cast(enabled as boolean) as is_enabled,
        {{ epoch_ms_to_timestamp('created') }} as created_at,
        {{ epoch_ms_to_timestamp('last_modified') }} as last_modified_at
    from source

)

select * from renamed
