{{ stg_member_analytics(source('linkedin_ads', 'ad_analytics_by_member_industry'), 'industry') }}
