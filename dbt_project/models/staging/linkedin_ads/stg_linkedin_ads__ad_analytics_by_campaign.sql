{{ stg_daily_analytics(source('linkedin_ads', 'ad_analytics_by_campaign'), 'campaign') }}
