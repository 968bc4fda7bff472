{#- Conversions by rule (statistics finder, pivots CREATIVE and CONVERSION): one row per creative,
    conversion rule and day with any conversion. -#}
{%- set bronze_columns = {
    'pivot_value': dbt.type_string(),
    'breakdown_value': dbt.type_string(),
    'start_date': 'date',
    'end_date': 'date',
    'external_website_conversions': 'bigint',
    'external_website_post_click_conversions': 'bigint',
    'external_website_post_view_conversions': 'bigint',
    'conversion_value_in_local_currency': type_money(),
    '_dlt_load_id': dbt.type_string(),
} -%}

with

source as (

    select * from {{ source_or_empty('linkedin_ads', 'ad_analytics_by_conversion', bronze_columns) }}

),

renamed as (

    select
        {{ urn_id('pivot_value') }} as creative_id,
        {{ urn_id('breakdown_value') }} as conversion_id,
        pivot_value as creative_urn,
        breakdown_value as conversion_urn,
        _dlt_load_id as dlt_load_id,
        cast(external_website_conversions as bigint) as conversions,
        cast(external_website_post_click_conversions as bigint) as post_click_conversions,
        cast(external_website_post_view_conversions as bigint) as post_view_conversions,
        cast(conversion_value_in_local_currency as {{ type_money() }}) as conversion_value_local,
        cast(start_date as date) as date_day,
        cast(end_date as date) as end_date
    from source

)

select * from renamed
