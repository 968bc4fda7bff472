{#- Delivery by device (statistics finder, pivots CAMPAIGN and IMPRESSION_DEVICE_TYPE): one row per
    campaign, device type and day. The device type is kept as the API sends it, the empty string
    included. LinkedIn serves no conversion metrics with this pivot, so only the gold metrics
    served for it are read, under their gold names. -#}
{%- set metrics = gold_metrics(device_pivot_only=true) -%}
{%- set bronze_columns = {
    'pivot_value': dbt.type_string(),
    'breakdown_value': dbt.type_string(),
    'start_date': 'date',
    'end_date': 'date',
    '_dlt_load_id': dbt.type_string(),
} -%}
{%- for metric in metrics -%}
{%- do bronze_columns.update({metric.column: gold_metric_type(metric)}) -%}
{%- endfor -%}

with

source as (

    select * from {{ source_or_empty('linkedin_ads', 'ad_analytics_by_device', bronze_columns) }}

),

renamed as (

    select
        {{ urn_id('pivot_value') }} as campaign_id,
        pivot_value as campaign_urn,
        breakdown_value as device_type,
        _dlt_load_id as dlt_load_id,
        {%- for metric in metrics %}
        cast({{ metric.column }} as {{ gold_metric_type(metric) }}) as {{ metric.name }},
        {%- endfor %}
        cast(start_date as date) as date_day,
        cast(end_date as date) as end_date
    from source

)

select * from renamed
