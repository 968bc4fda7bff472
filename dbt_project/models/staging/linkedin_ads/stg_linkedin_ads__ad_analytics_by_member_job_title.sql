{{ stg_member_analytics(source('linkedin_ads', 'ad_analytics_by_member_job_title'), 'job_title') }}
