{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_company'), member_pivot='company') }}
