{{ stg_analytics(source('linkedin_ads', 'ad_analytics_by_member_job_title'), member_pivot='job_title') }}
