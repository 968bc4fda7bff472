{#- Metric test: none of `columns` is below zero on any row (nulls pass). -#}
{% test columns_non_negative(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} < 0{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
