{#-
    Gives every creative a display name and a type (the creative name rule):
    its own name, else the inline text ad's headline, else the type label plus ' #' and the last
    6 characters of the content reference's own id (urn:li:share:7123456789 -> Sponsored Post #456789).
    Content types missing from the seed get creative_type 'Other'; creatives without any content
    'Unknown'. Without a content reference the last 6 digits of the creative's own id are used.
-#}
with

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

creative_types as (

    select * from {{ ref('linkedin_ads__creative_types') }}

),

creatives_typed as (

    select
        creatives.*,
        case
            when creatives.content_type is null then 'Unknown'
            else coalesce(cast(creative_types.creative_type as {{ dbt.type_string() }}), 'Other')
        end as creative_type
    from creatives
    left join creative_types
        on creatives.content_type = creative_types.content_type

),

final as (

    select
        *,
        coalesce(
            nullif(trim(creative_own_name), ''),
            nullif(trim(text_ad_headline), ''),
            {{ dbt.concat([
                "creative_type",
                "' #'",
                dbt.right("coalesce(content_reference_key, cast(creative_id as " ~ dbt.type_string() ~ "))", "6"),
            ]) }}
        ) as creative_name
    from creatives_typed

)

select * from final
