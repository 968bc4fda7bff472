{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_region'), member_pivot='region') }}
