{#-
    BI example: daily campaign spend reported with the campaign's name, status and group as they
    were on the day of the spend (as-of join to dim_campaigns_history), next to the current name.
-#}
with

campaign_performance as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

campaign_history as (

    select * from {{ ref('dim_campaigns_history') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        campaign_performance.date_day,
        campaign_performance.campaign_id,
        campaign_history.campaign_name as campaign_name_that_day,
        campaign_history.campaign_status as campaign_status_that_day,
        campaign_history.campaign_group_id as campaign_group_id_that_day,
        campaigns.campaign_name as campaign_name_now,
        campaign_performance.currency_code,
        campaign_performance.cost_local,
        campaign_performance.impressions
    from campaign_performance
    left join campaign_history
        on
            campaign_performance.campaign_id = campaign_history.campaign_id
            and campaign_performance.date_day >= cast(campaign_history.valid_from as date)
            and (
                campaign_history.valid_to is null
                or campaign_performance.date_day < cast(campaign_history.valid_to as date)
            )
    left join campaigns
        on campaign_performance.campaign_id = campaigns.campaign_id

)

select * from final
