{#-
    Campaign targeting as data: each campaign's targetingCriteria unpacked into one row per rule
    (include / exclude), AND-group, facet and value (macros/targeting.sql), with the facet's name
    and the value URN's entity type and id parsed. A campaign without criteria has no rows.
-#}
with

campaigns as (

    select * from {{ ref('stg_linkedin_ads__campaigns') }}

),

criteria_values as (

    {{ targeting_criteria_rows('campaigns', 'targeting_criteria_json', ['campaign_id', 'account_id']) }}

),

final as (

    select
        campaign_id,
        account_id,
        targeting_rule,
        facet_urn,
        {{ urn_key('facet_urn') }} as facet_name,
        value_urn,
        case
            when value_urn like 'urn:li:%:%' then {{ urn_type('value_urn') }}
        end as value_type,
        case
            -- everything after `urn:li:<type>:`, so composite ids such as (51,200) stay whole
            when value_urn like 'urn:li:%:%'
                then substr(value_urn, length({{ urn_type('value_urn') }}) + 9)
            else value_urn
        end as value_key,
        group_index
    from criteria_values

)

select * from final
