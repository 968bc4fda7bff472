{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_job_function'), member_pivot='job_function') }}
