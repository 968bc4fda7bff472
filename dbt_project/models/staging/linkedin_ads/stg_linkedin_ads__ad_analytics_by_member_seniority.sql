{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_seniority'), member_pivot='seniority') }}
