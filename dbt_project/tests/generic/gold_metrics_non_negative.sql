{#- Metric test: no gold metric (var gold_metrics; only those served for member pivots when
    member_pivots_only, or with the device pivot when device_pivot_only) and none of
    `extra_columns` is below zero on any row (nulls pass). -#}
{% test gold_metrics_non_negative(model, member_pivots_only=false, extra_columns=[], device_pivot_only=false) %}

{%- set columns = gold_metrics(member_pivots_only, device_pivot_only) | map(attribute='name') | list + extra_columns %}

select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} < 0{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
