{#-
    What each creative's ad says: its text and its headline.
    - A creative showing a post (share, ugcPost, post): the post's commentary, and the title of its
      article card or of its media (video, image, document), when the Posts API returned the post.
    - An inline text ad: its description and headline.
    - Anything else (InMail, video reference, dynamic ads), or a post the token could not read: null.
    Blank strings are null.
-#}
with

creatives as (

    select * from {{ ref('stg_linkedin_ads__creatives') }}

),

posts as (

    select * from {{ ref('stg_linkedin_ads__posts') }}

),

readable_posts as (

    select
        post_urn,
        commentary,
        coalesce(nullif(trim(article_title), ''), nullif(trim(media_title), '')) as post_title
    from posts
    where is_readable

),

creatives_joined_to_posts as (

    select
        creatives.creative_id,
        creatives.content_type,
        creatives.text_ad_headline,
        creatives.text_ad_description,
        readable_posts.commentary,
        readable_posts.post_title
    from creatives
    left join readable_posts
        on
            creatives.content_reference = readable_posts.post_urn
            and creatives.content_type in ('share', 'ugcPost', 'post')

),

final as (

    select
        creative_id,
        case
            when content_type = 'textAd' then nullif(trim(text_ad_description), '')
            else nullif(trim(commentary), '')
        end as creative_text,
        case
            when content_type = 'textAd' then nullif(trim(text_ad_headline), '')
            else post_title
        end as creative_headline
    from creatives_joined_to_posts

)

select * from final
