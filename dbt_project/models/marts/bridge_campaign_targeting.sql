{#-
    The targeting bridge: one row per campaign, rule, AND-group, facet and value, with a readable
    facet label, for BI to filter campaign performance by what the campaign targets (join on
    campaign_id). Facets without a label here keep their LinkedIn name as label; job functions and
    seniorities get LinkedIn's name for the value (dim_standardized_values), other values none.
-#}
{{ config(indexes=postgres_indexes([['campaign_id'], ['facet_name', 'value_urn']])) }}

with

campaign_targeting as (

    select * from {{ ref('int_campaign_targeting') }}

),

standardized_values as (

    select * from {{ ref('dim_standardized_values') }}

),

final as (

    select
        campaign_targeting.campaign_id,
        campaign_targeting.account_id,
        campaign_targeting.targeting_rule,
        campaign_targeting.facet_name,
        case campaign_targeting.facet_name
            when 'locations' then 'Location'
            when 'profileLocations' then 'Profile location'
            when 'interfaceLocales' then 'Interface language'
            when 'jobFunctions' then 'Job function'
            when 'seniorities' then 'Seniority'
            when 'titles' then 'Job title'
            when 'titlesPast' then 'Past job title'
            when 'skills' then 'Skill'
            when 'industries' then 'Industry'
            when 'employers' then 'Company'
            when 'employersPast' then 'Past company'
            when 'staffCountRanges' then 'Company size'
            when 'followedCompanies' then 'Company follower'
            when 'audienceMatchingSegments' then 'Company or contact list'
            when 'dynamicSegments' then 'Retargeting audience'
            when 'memberBehaviors' then 'Member trait'
            when 'interests' then 'Member interest'
            when 'groups' then 'Member group'
            when 'degrees' then 'Degree'
            when 'fieldsOfStudy' then 'Field of study'
            when 'schools' then 'School'
            when 'yearsOfExperienceRanges' then 'Years of experience'
            when 'ageRanges' then 'Age'
            when 'genders' then 'Gender'
            else campaign_targeting.facet_name
        end as facet_label,
        campaign_targeting.value_urn,
        standardized_values.value_label,
        campaign_targeting.value_type,
        campaign_targeting.value_key,
        campaign_targeting.group_index
    from campaign_targeting
    left join standardized_values
        on campaign_targeting.value_urn = standardized_values.value_urn

)

select * from final
