{#-
    Dashboard "Conversions by rule": per conversion rule over the loaded history, conversions after
    a click and after only a view, and their value in the account currency, with the rule's name
    and type. Rules overlap and some conversions fall under no rule: these do not add up to the
    conversions of the other facts.
-#}
with

conversion_performance as (

    select * from {{ ref('fct_conversion_performance_daily') }}

),

conversion_rules as (

    select * from {{ ref('dim_conversions') }}

),

accounts as (

    select * from {{ ref('dim_ad_accounts') }}

),

final as (

    select
        accounts.account_name,
        conversion_rules.conversion_name,
        conversion_rules.conversion_type,
        conversion_performance.currency_code,
        sum(conversion_performance.post_click_conversions) as post_click_conversions,
        sum(conversion_performance.post_view_conversions) as post_view_conversions,
        sum(conversion_performance.conversions) as conversions,
        sum(conversion_performance.conversion_value_local) as conversion_value
    from conversion_performance
    left join conversion_rules
        on conversion_performance.conversion_id = conversion_rules.conversion_id
    left join accounts
        on conversion_performance.account_id = accounts.account_id
    group by
        accounts.account_name,
        conversion_rules.conversion_name,
        conversion_rules.conversion_type,
        conversion_performance.currency_code

)

select * from final
