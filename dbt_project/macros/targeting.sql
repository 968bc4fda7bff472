{#-
    targeting_criteria_rows(relation, criteria_column, key_columns): a campaign's
    targetingCriteria (JSON text) as rows, one per rule, AND-group, facet and value.

    LinkedIn's documented shape:
        {"include": {"and": [{"or": {"<facet URN>": ["<value URN>", ...], ...}}, ...]},
         "exclude": {"or": {"<facet URN>": ["<value URN>", ...], ...}}}
    A member must match every AND-group of `include` (within a group, any value of any facet) and
    no value of `exclude`.

    Returns a select from `relation` of `key_columns` plus
        targeting_rule  'include' or 'exclude'
        group_index     1-based position of the OR-group in the include AND list; 1 for exclude
        facet_urn       the facet, `urn:li:adTargetingFacet:<name>`
        value_urn       one value of the facet, as LinkedIn gives it
    Null or empty criteria, and any part that is missing or not of the documented JSON type (an
    AND list that is not an array, an OR-group that is not an object, values that are not strings),
    give no rows, the same on both engines, rather than failing the build.
-#}
{% macro targeting_criteria_rows(relation, criteria_column, key_columns) -%}
    {{ return(adapter.dispatch('targeting_criteria_rows', 'linkedin_ads')(relation, criteria_column, key_columns)) }}
{%- endmacro %}

{#- DuckDB: json_each over a JSON path; `key` is the array index (from 0) or the object key. -#}
{% macro duckdb__targeting_criteria_rows(relation, criteria_column, key_columns) -%}
    select
        {%- for column in key_columns %}
        criteria.{{ column }},
        {%- endfor %}
        'include' as targeting_rule,
        cast(and_groups.key as bigint) + 1 as group_index,
        facets.key as facet_urn,
        facet_values.value ->> '$' as value_urn
    from {{ relation }} as criteria
    cross join json_each(cast(criteria.{{ criteria_column }} as json), '$.include.and') as and_groups
    cross join json_each(and_groups.value, '$.or') as facets
    cross join json_each(facets.value) as facet_values
    where
        json_type(cast(criteria.{{ criteria_column }} as json), '$.include.and') = 'ARRAY'
        and json_type(and_groups.value, '$.or') = 'OBJECT'
        and json_type(facets.value) = 'ARRAY'
        and facet_values.type = 'VARCHAR'

    union all

    select
        {%- for column in key_columns %}
        criteria.{{ column }},
        {%- endfor %}
        'exclude' as targeting_rule,
        1 as group_index,
        facets.key as facet_urn,
        facet_values.value ->> '$' as value_urn
    from {{ relation }} as criteria
    cross join json_each(cast(criteria.{{ criteria_column }} as json), '$.exclude.or') as facets
    cross join json_each(facets.value) as facet_values
    where
        json_type(cast(criteria.{{ criteria_column }} as json), '$.exclude.or') = 'OBJECT'
        and json_type(facets.value) = 'ARRAY'
        and facet_values.type = 'VARCHAR'
{%- endmacro %}

{#- Postgres: jsonb set-returning functions in lateral joins; a part of another JSON type is
    passed on as null (no rows) because those functions raise on it. -#}
{% macro postgres__targeting_criteria_rows(relation, criteria_column, key_columns) -%}
    select
        {%- for column in key_columns %}
        criteria.{{ column }},
        {%- endfor %}
        'include' as targeting_rule,
        and_groups.group_index,
        facets.facet_urn,
        facet_values.value_json #>> '{}' as value_urn
    from {{ relation }} as criteria
    cross join lateral jsonb_array_elements(
        {{ _jsonb_if("cast(criteria." ~ criteria_column ~ " as jsonb) -> 'include' -> 'and'", 'array') }}
    ) with ordinality as and_groups (group_json, group_index)
    cross join lateral jsonb_each({{ _jsonb_if("and_groups.group_json -> 'or'", 'object') }})
        as facets (facet_urn, facet_values)
    cross join lateral jsonb_array_elements({{ _jsonb_if('facets.facet_values', 'array') }})
        as facet_values (value_json)
    where jsonb_typeof(facet_values.value_json) = 'string'

    union all

    select
        {%- for column in key_columns %}
        criteria.{{ column }},
        {%- endfor %}
        'exclude' as targeting_rule,
        1 as group_index,
        facets.facet_urn,
        facet_values.value_json #>> '{}' as value_urn
    from {{ relation }} as criteria
    cross join lateral jsonb_each(
        {{ _jsonb_if("cast(criteria." ~ criteria_column ~ " as jsonb) -> 'exclude' -> 'or'", 'object') }}
    ) as facets (facet_urn, facet_values)
    cross join lateral jsonb_array_elements({{ _jsonb_if('facets.facet_values', 'array') }})
        as facet_values (value_json)
    where jsonb_typeof(facet_values.value_json) = 'string'
{%- endmacro %}

{#- Spark: from_json with the documented shape as its schema, exploded with lateral views. Each
    facet's values are read as raw JSON text first (a map of string), so that a facet whose values
    are not a list gives no rows without hiding its neighbours (from_json nulls a whole map on
    one bad value). The list is then parsed as strings, which would turn a number into its text:
    only elements that stand quoted in the raw list are kept, as the other engines keep strings
    only. A part of another JSON type parses as null, and exploding null gives no rows. -#}
{% macro spark__targeting_criteria_rows(relation, criteria_column, key_columns) -%}
    {%- set shape = 'struct<include:struct<`and`:array<struct<`or`:map<string,string>>>>,'
        ~ 'exclude:struct<`or`:map<string,string>>>' -%}
    with criteria_parsed as (
        select
            {%- for column in key_columns %}
            {{ column }},
            {%- endfor %}
            from_json({{ criteria_column }}, '{{ shape }}') as criteria
        from {{ relation }}
    )

    select
        {%- for column in key_columns %}
        criteria_parsed.{{ column }},
        {%- endfor %}
        'include' as targeting_rule,
        cast(and_groups.group_position as bigint) + 1 as group_index,
        facets.facet_urn,
        facet_values.value_urn
    from criteria_parsed
    lateral view posexplode(criteria_parsed.criteria.include.`and`) and_groups as group_position, and_group
    lateral view explode(and_groups.and_group.`or`) facets as facet_urn, facet_value_list
    lateral view explode(from_json(facets.facet_value_list, 'array<string>')) facet_values as value_urn
    where instr(facets.facet_value_list, concat('"', facet_values.value_urn, '"')) > 0

    union all

    select
        {%- for column in key_columns %}
        criteria_parsed.{{ column }},
        {%- endfor %}
        'exclude' as targeting_rule,
        1 as group_index,
        facets.facet_urn,
        facet_values.value_urn
    from criteria_parsed
    lateral view explode(criteria_parsed.criteria.exclude.`or`) facets as facet_urn, facet_value_list
    lateral view explode(from_json(facets.facet_value_list, 'array<string>')) facet_values as value_urn
    where instr(facets.facet_value_list, concat('"', facet_values.value_urn, '"')) > 0
{%- endmacro %}

{#- The jsonb expression when it is of json_type ('array', 'object'), else null. -#}
{% macro _jsonb_if(expression, json_type) -%}
    case when jsonb_typeof({{ expression }}) = '{{ json_type }}' then {{ expression }} end
{%- endmacro %}
