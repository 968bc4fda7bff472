{#-
    Every creative belongs to the account of its campaign: the account named in the creative's own
    record equals the account named in its campaign's record. Also checked on the daily facts, so a
    creative row never lands under another account than its campaign's.
-#}
with

creatives as (

    select * from {{ ref('dim_creatives') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

creative_performance as (

    select * from {{ ref('fct_creative_performance_daily') }}

),

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

entity_mismatches as (

    select
        'dim_creatives' as checked_model,
        creatives.creative_id,
        creatives.account_id as creative_account_id,
        campaigns.account_id as campaign_account_id
    from creatives
    inner join campaigns
        on creatives.campaign_id = campaigns.campaign_id
    where creatives.account_id <> campaigns.account_id

),

fact_mismatches as (

    select distinct
        'fct_creative_performance_daily' as checked_model,
        creative_performance.creative_id,
        creative_performance.account_id as creative_account_id,
        campaign_performance.account_id as campaign_account_id
    from creative_performance
    inner join campaign_performance
        on
            creative_performance.date_day = campaign_performance.date_day
            and creative_performance.campaign_id = campaign_performance.campaign_id
    where creative_performance.account_id <> campaign_performance.account_id

)

select * from entity_mismatches
union all
select * from fact_mismatches
