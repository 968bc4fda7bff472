{#- The staging view of one professional-demographic table (bronze
    ad_analytics_by_member_<pivot>): the eight tables have the same columns, so their views are
    this one shape; each model passes its own source() so that lineage stays in the model. -#}
{% macro stg_member_analytics(source_relation, pivot_name) %}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {{ urn_id('campaign') }} as campaign_id,
        campaign as campaign_urn,
        '{{ pivot_name }}' as demographic_pivot,
        "pivot" as api_pivot,
        pivot_value as demographic_value,
        _dlt_load_id as dlt_load_id,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(cost_in_local_currency as {{ type_money() }}) as cost_in_local_currency,
        cast(cost_in_usd as {{ type_money() }}) as cost_in_usd,
        cast(external_website_conversions as bigint) as external_website_conversions,
        cast(one_click_leads as bigint) as one_click_leads,
        cast(landing_page_clicks as bigint) as landing_page_clicks,
        cast(total_engagements as bigint) as total_engagements,
        cast(video_views as bigint) as video_views,
        cast(video_completions as bigint) as video_completions,
        cast(likes as bigint) as likes,
        cast(comments as bigint) as comments,
        cast(shares as bigint) as shares,
        cast(follows as bigint) as follows,
        cast(opens as bigint) as opens,
        cast(sends as bigint) as sends,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date
    from source

)

select * from renamed
{% endmacro %}
