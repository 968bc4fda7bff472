{#- bronze.posts appears with the first post a run reads (macros/source_or_empty.sql). -#}
{%- set text = dbt.type_string() %}
{%- set bronze_columns = {
    'id': text, 'author': text, 'commentary': text, 'lifecycle_state': text,
    'content__article__title': text, 'content__article__description': text,
    'content__article__source': text, 'content__media__title': text,
    'content__media__id': text, 'read_error': text, 'read_status': 'bigint',
    'published_at': 'bigint', 'last_modified_at': 'bigint', '_dlt_load_id': text,
} -%}

with

source as (

    select * from {{ source_or_empty('linkedin_ads', 'posts', bronze_columns) }}

),

renamed as (

    select
        id as post_urn,
        {{ urn_type('id') }} as post_type,
        author as author_urn,
        _dlt_load_id as dlt_load_id,
        commentary,
        content__article__title as article_title,
        content__article__description as article_description,
        content__article__source as article_url,
        content__media__title as media_title,
        content__media__id as media_urn,
        lifecycle_state,
        read_error,
        cast(read_status as integer) as read_status,
        coalesce(read_status = 200, false) as is_readable,
        {{ epoch_ms_to_timestamp('published_at') }} as published_at,
        {{ epoch_ms_to_timestamp('last_modified_at') }} as last_modified_at
    from source

)

select * from renamed
