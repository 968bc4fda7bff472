{#-
    The MetricFlow time spine: one row per day over a fixed range that covers any LinkedIn Ads
    history and the years ahead (tests check it covers the loaded facts). Metrics with an offset
    window (this period against the previous one) join to it. dbt's own date_spine macro, so it
    builds the same on DuckDB and Postgres without packages.
-#}

with

days as (

    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2040-01-01' as date)") }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
