{#- Metric test: no gold metric (var gold_metrics; only those served for member pivots when
    member_pivots_only) and none of `extra_columns` is below zero on any row (nulls pass). -#}
{% test gold_metrics_non_negative(model, member_pivots_only=false, extra_columns=[]) %}

{%- set columns = gold_metrics(member_pivots_only) | map(attribute='name') | list + extra_columns %}

select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} < 0{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
