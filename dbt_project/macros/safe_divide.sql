{#-
    Ratio of two sums, null when the denominator is 0 or null (never a division error, never 0
    pretending to be a rate). Both sides go to double precision so that DuckDB and Postgres do the
    same IEEE arithmetic. `scale` multiplies the numerator (1000 for CPM).
-#}
{% macro safe_divide(numerator, denominator, scale=1) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else
            cast({{ numerator }} as {{ type_ratio() }}){% if scale != 1 %} * {{ scale }}{% endif %}
            / cast({{ denominator }} as {{ type_ratio() }})
    end
{%- endmacro %}
