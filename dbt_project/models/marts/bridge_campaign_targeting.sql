{#-
    The targeting bridge: one row per campaign, rule, AND-group, facet and value, with a readable
    facet label, for BI to filter campaign performance by what the campaign targets (join on
    campaign_id). Facets without a label here keep their LinkedIn name as label.
-#}
{{ config(indexes=postgres_indexes([['campaign_id'], ['facet_name', 'value_urn']])) }}

with

campaign_targeting as (

    select * from {{ ref('int_campaign_targeting') }}

),

final as (

    select
        campaign_id,
        account_id,
        targeting_rule,
        facet_name,
        case facet_name
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
            else facet_name
        end as facet_label,
        value_urn,
        value_type,
        value_key,
        group_index
    from campaign_targeting

)

select * from final
