{#-
    Dashboard "Cost per lead by job function" and "... by seniority": cost per lead in USD per
    member job function and seniority, with LinkedIn's standard names for their URNs.
    APPROXIMATE: LinkedIn serves member demographics monthly, with privacy thresholds and top-N
    truncation, so these rows do not add up to campaign totals. USD because accounts differ in
    currency.
-#}
with

demographic_performance as (

    select * from {{ ref('fct_demographic_performance_monthly') }}

),

member_labels (demographic_pivot, demographic_value, demographic_label) as (

    values
    ('job_function', 'urn:li:function:1', 'Accounting'),
    ('job_function', 'urn:li:function:2', 'Administrative'),
    ('job_function', 'urn:li:function:3', 'Arts and Design'),
    ('job_function', 'urn:li:function:4', 'Business Development'),
    ('job_function', 'urn:li:function:5', 'Community and Social Services'),
    ('job_function', 'urn:li:function:6', 'Consulting'),
    ('job_function', 'urn:li:function:7', 'Education'),
    ('job_function', 'urn:li:function:8', 'Engineering'),
    ('job_function', 'urn:li:function:9', 'Entrepreneurship'),
    ('job_function', 'urn:li:function:10', 'Finance'),
    ('job_function', 'urn:li:function:11', 'Healthcare Services'),
    ('job_function', 'urn:li:function:12', 'Human Resources'),
    ('job_function', 'urn:li:function:13', 'Information Technology'),
    ('job_function', 'urn:li:function:14', 'Legal'),
    ('job_function', 'urn:li:function:15', 'Marketing'),
    ('job_function', 'urn:li:function:16', 'Media and Communication'),
    ('job_function', 'urn:li:function:17', 'Military and Protective Services'),
    ('job_function', 'urn:li:function:18', 'Operations'),
    ('job_function', 'urn:li:function:19', 'Product Management'),
    ('job_function', 'urn:li:function:20', 'Program and Project Management'),
    ('job_function', 'urn:li:function:21', 'Purchasing'),
    ('job_function', 'urn:li:function:22', 'Quality Assurance'),
    ('job_function', 'urn:li:function:23', 'Real Estate'),
    ('job_function', 'urn:li:function:24', 'Research'),
    ('job_function', 'urn:li:function:25', 'Sales'),
    ('job_function', 'urn:li:function:26', 'Customer Success and Support'),
    ('seniority', 'urn:li:seniority:1', 'Unpaid'),
    ('seniority', 'urn:li:seniority:2', 'Training'),
    ('seniority', 'urn:li:seniority:3', 'Entry'),
    ('seniority', 'urn:li:seniority:4', 'Senior'),
    ('seniority', 'urn:li:seniority:5', 'Manager'),
    ('seniority', 'urn:li:seniority:6', 'Director'),
    ('seniority', 'urn:li:seniority:7', 'VP'),
    ('seniority', 'urn:li:seniority:8', 'CXO'),
    ('seniority', 'urn:li:seniority:9', 'Partner'),
    ('seniority', 'urn:li:seniority:10', 'Owner')

),

final as (

    select
        demographic_performance.demographic_pivot,
        coalesce(member_labels.demographic_label, demographic_performance.demographic_value)
            as demographic_label,
        sum(demographic_performance.cost_usd) as spend_usd,
        sum(demographic_performance.leads) as leads,
        sum(demographic_performance.cost_usd)
        / nullif(sum(demographic_performance.leads), 0) as cost_per_lead_usd
    from demographic_performance
    left join member_labels
        on
            demographic_performance.demographic_pivot = member_labels.demographic_pivot
            and demographic_performance.demographic_value = member_labels.demographic_value
    where demographic_performance.demographic_pivot in ('job_function', 'seniority')
    group by
        demographic_performance.demographic_pivot,
        coalesce(member_labels.demographic_label, demographic_performance.demographic_value)

)

select * from final
