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

standardized_values as (

    select * from {{ ref('dim_standardized_values') }}

),

final as (

    select
        demographic_performance.demographic_pivot,
        coalesce(standardized_values.value_label, demographic_performance.demographic_value)
            as demographic_label,
        sum(demographic_performance.cost_usd) as spend_usd,
        sum(demographic_performance.leads) as leads,
        sum(demographic_performance.cost_usd)
        / nullif(sum(demographic_performance.leads), 0) as cost_per_lead_usd
    from demographic_performance
    left join standardized_values
        on demographic_performance.demographic_value = standardized_values.value_urn
    where demographic_performance.demographic_pivot in ('job_function', 'seniority')
    group by
        demographic_performance.demographic_pivot,
        coalesce(standardized_values.value_label, demographic_performance.demographic_value)

)

select * from final
