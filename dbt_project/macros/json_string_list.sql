{#-
    A JSON array of strings (a bronze list field such as serving_statuses: ["RUNNABLE"],
    ["CAMPAIGN_END_DATE_HOLD", "STOPPED"]) as one comma-separated string in the array's order:
    'CAMPAIGN_END_DATE_HOLD, STOPPED'. Null when the field is null, not an array or empty.
-#}
{% macro json_string_list(json_column) -%}
    {{ return(adapter.dispatch('json_string_list', 'linkedin_ads')(json_column)) }}
{%- endmacro %}

{% macro duckdb__json_string_list(json_column) -%}
    case
        when json_array_length(cast({{ json_column }} as json)) > 0
            then array_to_string(json_extract_string(cast({{ json_column }} as json), '$[*]'), ', ')
    end
{%- endmacro %}

{% macro postgres__json_string_list(json_column) -%}
    case
        when jsonb_typeof(cast({{ json_column }} as jsonb)) = 'array'
            then (
                select string_agg(list_values.list_value, ', ' order by list_values.list_index)
                from jsonb_array_elements_text(cast({{ json_column }} as jsonb))
                    with ordinality as list_values (list_value, list_index)
            )
    end
{%- endmacro %}

{#- Spark: from_json gives null for anything but an array (size -1), so no rows then. -#}
{% macro spark__json_string_list(json_column) -%}
    case
        when size(from_json({{ json_column }}, 'array<string>')) > 0
            then array_join(from_json({{ json_column }}, 'array<string>'), ', ')
    end
{%- endmacro %}
