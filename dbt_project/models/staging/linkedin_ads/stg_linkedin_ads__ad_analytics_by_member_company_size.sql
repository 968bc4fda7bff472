{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_company_size'), member_pivot='company_size') }}
