{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_industry'), member_pivot='industry') }}
