{#-
    Dashboard "Spend pacing against budgets": every active campaign's average daily spend over the
    last 7 loaded days against its daily budget, and its spend to date against its total budget,
    in the campaign (account) currency.
-#}
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

campaign_performance as (

    select * from {{ ref('campaign_report_daily') }}

),

last_loaded as (

    select max(date_day) as last_day from campaign_performance

),

spend_per_campaign as (

    select
        campaign_performance.campaign_id,
        sum(campaign_performance.cost_local) as spend_to_date,
        sum(
            case
                when campaign_performance.date_day > last_loaded.last_day - 7
                    then campaign_performance.cost_local
                else 0
            end
        ) as spend_last_7_days
    from campaign_performance
    cross join last_loaded
    group by campaign_performance.campaign_id

),

final as (

    select
        accounts.account_name,
        campaigns.campaign_name,
        campaigns.currency_code,
        campaigns.pacing_strategy,
        campaigns.daily_budget_amount,
        campaigns.total_budget_amount,
        coalesce(spend_per_campaign.spend_last_7_days, 0) / 7 as average_daily_spend_last_7_days,
        coalesce(spend_per_campaign.spend_to_date, 0) as spend_to_date,
        coalesce(spend_per_campaign.spend_last_7_days, 0) / 7
        / nullif(campaigns.daily_budget_amount, 0) as daily_budget_used,
        coalesce(spend_per_campaign.spend_to_date, 0)
        / nullif(campaigns.total_budget_amount, 0) as total_budget_used
    from campaigns
    inner join accounts
        on campaigns.account_id = accounts.account_id
    left join spend_per_campaign
        on campaigns.campaign_id = spend_per_campaign.campaign_id
    where campaigns.campaign_status = 'ACTIVE'

)

select * from final
