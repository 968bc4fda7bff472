{{
    config(
        materialized='incremental',
        incremental_strategy=replace_strategy(),
        unique_key='creative_id',
        on_schema_change='append_new_columns',
        indexes=postgres_indexes([['creative_id'], ['campaign_id']]),
    )
}}

{#- Incremental only to be rewritten in place, every row on every run: replacing the table would
    drop the report views reading it on Postgres (DECISIONLOG.md: "The `*_report_daily` marts are views"). -#}

with

creatives as (

    select * from {{ ref('int_creatives_named') }}

),

creative_texts as (

    select * from {{ ref('int_creative_texts') }}

),

creatives_joined_to_texts as (

    select
        creatives.*,
        creative_texts.creative_text,
        creative_texts.creative_headline
    from creatives
    left join creative_texts
        on creatives.creative_id = creative_texts.creative_id

),

final as (

    select
        creative_id,
        campaign_id,
        account_id,
        creative_name,
        creative_type,
        creative_text,
        creative_headline,
        content_reference,
        intended_status,
        is_serving,
        serving_hold_reasons,
        creative_urn,
        content_type,
        creative_own_name,
        text_ad_headline,
        text_ad_description,
        text_ad_landing_page,
        review_status,
        review_rejection_reasons,
        is_test,
        created_at,
        last_modified_at
    from creatives_joined_to_texts

)

select * from final
