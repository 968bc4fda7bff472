{#-
    Every creative belongs to the account of its campaign: the account named in the creative's own
    record equals the account named in its campaign's record. The facts take each row's account
    from its own entity record, so a mismatch here would put a creative's spend under another
    account than its campaign's.
-#}
with

creatives as (

    select * from {{ ref('dim_creatives') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

mismatches as (

    select
        creatives.creative_id,
        creatives.campaign_id,
        creatives.account_id as creative_account_id,
        campaigns.account_id as campaign_account_id
    from creatives
    inner join campaigns
        on creatives.campaign_id = campaigns.campaign_id
    where creatives.account_id <> campaigns.account_id

)

select * from mismatches
