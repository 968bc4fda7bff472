{#-
    The staging view of an adAnalytics table. All bronze ad_analytics_by_* tables are rows of the
    same response, so their views are this one shape; each model passes its own source() so that
    lineage stays in the model.
    - Daily tables (pivot CAMPAIGN or CREATIVE; `entity` = 'campaign' or 'creative'): one row per
      entity per day, keyed <entity>_id / <entity>_urn and date_day, with every metric the client
      requests (analytics_metric_columns()).
    - Member tables (`member_pivot` = 'company', 'job_title', ...): one row per campaign, member
      value and period, keyed campaign_id, demographic_pivot and demographic_value, with the gold
      metrics LinkedIn serves for member pivots.
    Counts become bigint, LinkedIn's BigDecimal strings exact decimals (type_money()).
-#}
{% macro stg_analytics(source_relation, entity=none, member_pivot=none) %}
{%- if member_pivot -%}
    {%- set metrics = gold_metrics(member_pivots_only=true) -%}
{%- else -%}
    {%- set metrics = analytics_metric_columns() -%}
{%- endif %}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {%- if member_pivot %}
        {{ urn_id('campaign') }} as campaign_id,
        campaign as campaign_urn,
        '{{ member_pivot }}' as demographic_pivot,
        "pivot" as api_pivot,
        pivot_value as demographic_value,
        {%- else %}
        {{ urn_id('pivot_value') }} as {{ entity }}_id,
        pivot_value as {{ entity }}_urn,
        {%- endif %}
        _dlt_load_id as dlt_load_id,
        {%- for metric in metrics %}
        cast({{ metric.column }} as {{ gold_metric_type(metric) }}) as {{ metric.column }},
        {%- endfor %}
        cast(start_date as date) as {{ 'start_date' if member_pivot else 'date_day' }},
        cast(end_date as date) as end_date
    from source

)

select * from renamed
{% endmacro %}

{#-
    The metrics the daily analytics tables hold (bronze columns, the API names in snake_case), with
    their kind: 'money' for the metrics LinkedIn sends as BigDecimal strings, 'count' for the rest.
    `viral_<metric>` exists for the metrics in `viral`.
-#}
{% macro analytics_metric_columns() -%}
    {%- set counts = [
        'impressions', 'clicks', 'landing_page_clicks', 'company_page_clicks', 'total_engagements',
        'other_engagements', 'text_url_clicks', 'reactions', 'likes', 'comments', 'comment_likes',
        'shares', 'follows', 'full_screen_plays', 'action_clicks', 'ad_unit_clicks',
        'download_clicks', 'card_clicks', 'card_impressions', 'external_website_conversions',
        'external_website_post_click_conversions', 'external_website_post_view_conversions',
        'one_click_leads', 'one_click_lead_form_opens', 'qualified_leads', 'valid_work_email_leads',
        'talent_leads', 'subscription_clicks', 'sends', 'opens',
        'lead_generation_mail_contact_info_shares', 'lead_generation_mail_interested_clicks',
        'headline_clicks', 'headline_impressions', 'video_starts', 'video_views',
        'video_first_quartile_completions', 'video_midpoint_completions',
        'video_third_quartile_completions', 'video_completions', 'document_completions',
        'document_first_quartile_completions', 'document_midpoint_completions',
        'document_third_quartile_completions',
    ] -%}
    {%- set money = [
        'cost_in_local_currency', 'cost_in_usd', 'conversion_value_in_local_currency',
        'cost_per_qualified_lead', 'job_applications', 'job_apply_clicks',
        'post_click_job_applications', 'post_click_job_apply_clicks', 'post_click_registrations',
        'post_view_job_applications', 'post_view_job_apply_clicks', 'post_view_registrations',
        'registrations',
    ] -%}
    {%- set viral = [
        'impressions', 'clicks', 'likes', 'comments', 'comment_likes', 'shares', 'follows',
        'reactions', 'company_page_clicks', 'landing_page_clicks', 'total_engagements',
        'other_engagements', 'card_clicks', 'card_impressions', 'full_screen_plays',
        'download_clicks', 'video_starts', 'video_views', 'video_first_quartile_completions',
        'video_midpoint_completions', 'video_third_quartile_completions', 'video_completions',
        'document_completions', 'document_first_quartile_completions',
        'document_midpoint_completions', 'document_third_quartile_completions',
        'external_website_conversions', 'external_website_post_click_conversions',
        'external_website_post_view_conversions', 'one_click_leads', 'one_click_lead_form_opens',
        'job_applications', 'job_apply_clicks', 'post_click_job_applications',
        'post_click_job_apply_clicks', 'post_click_registrations', 'post_view_job_applications',
        'post_view_job_apply_clicks', 'post_view_registrations', 'registrations',
        'subscription_clicks',
    ] -%}
    {%- set columns = [] -%}
    {%- for column in counts + money + viral -%}
        {%- set name = 'viral_' ~ column if loop.index > (counts | length) + (money | length) else column -%}
        {%- do columns.append({'column': name, 'kind': 'money' if column in money else 'count'}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
