{#-
    The wide report tables agree with each other on the overall totals per day and currency:
    account, campaign group and campaign reports all sum the same campaign facts.
-#}
{%- set reports = ['account_report_daily', 'campaign_group_report_daily', 'campaign_report_daily'] %}

with

{% for report in reports %}
{{ report }}_totals as (

    select
        '{{ report }}' as report_name,
        date_day,
        currency_code,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(cost_local) as {{ type_money() }}) as cost_local,
        cast(sum(conversions) as bigint) as conversions
    from {{ ref(report) }}
    group by date_day, currency_code

),

{% endfor %}
all_totals as (

    {% for report in reports %}
    select * from {{ report }}_totals
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

disagreements as (

    select
        date_day,
        currency_code
    from all_totals
    group by date_day, currency_code
    having
        count(*) <> {{ reports | length }}
        or count(distinct impressions) > 1
        or count(distinct clicks) > 1
        or count(distinct cost_local) > 1
        or count(distinct conversions) > 1

)

select * from disagreements
