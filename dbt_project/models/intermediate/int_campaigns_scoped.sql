{#-
    Account scoping of campaigns, stated once: a campaign belongs to the account and campaign
    group named in its own record, and its money is in that account's currency. The daily and
    demographic facts and dim_campaigns read campaigns through this view.
-#}
with

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_linkedin_ads__ad_accounts') }}

),

final as (

    select
        campaigns.*,
        accounts.currency_code as account_currency_code
    from campaigns
    left join accounts
        on campaigns.account_id = accounts.account_id

)

select * from final
