{#-
    LinkedIn's names for the job function and seniority URNs (seed linkedin_ads__standardized_values),
    in gold so BI can label demographic rows and targeting values with what the BI role may read.
-#}
with

standardized_values as (

    select * from {{ ref('linkedin_ads__standardized_values') }}

),

final as (

    select
        cast(value_urn as {{ dbt.type_string() }}) as value_urn,
        cast(value_label as {{ dbt.type_string() }}) as value_label,
        case
            when value_urn like 'urn:li:function:%' then 'job_function'
            when value_urn like 'urn:li:seniority:%' then 'seniority'
        end as value_kind
    from standardized_values

)

select * from final
