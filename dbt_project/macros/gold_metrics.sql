{#-
    The gold metric columns and the API metric each one means (DESIGN.md), in gold column order.
    kind 'count' -> bigint, 'money' -> numeric(38, 18). `demographic`: served for member pivots
    (conversionValueInLocalCurrency is not).
-#}
{% macro gold_metrics() -%}
    {{ return([
        {'name': 'impressions', 'source': 'impressions', 'kind': 'count', 'demographic': true},
        {'name': 'clicks', 'source': 'clicks', 'kind': 'count', 'demographic': true},
        {'name': 'cost_local', 'source': 'cost_in_local_currency', 'kind': 'money', 'demographic': true},
        {'name': 'cost_usd', 'source': 'cost_in_usd', 'kind': 'money', 'demographic': true},
        {'name': 'conversions', 'source': 'external_website_conversions', 'kind': 'count', 'demographic': true},
        {'name': 'conversion_value_local', 'source': 'conversion_value_in_local_currency', 'kind': 'money', 'demographic': false},
        {'name': 'leads', 'source': 'one_click_leads', 'kind': 'count', 'demographic': true},
        {'name': 'landing_page_clicks', 'source': 'landing_page_clicks', 'kind': 'count', 'demographic': true},
        {'name': 'total_engagements', 'source': 'total_engagements', 'kind': 'count', 'demographic': true},
        {'name': 'video_views', 'source': 'video_views', 'kind': 'count', 'demographic': true},
        {'name': 'video_completions', 'source': 'video_completions', 'kind': 'count', 'demographic': true},
        {'name': 'likes', 'source': 'likes', 'kind': 'count', 'demographic': true},
        {'name': 'comments', 'source': 'comments', 'kind': 'count', 'demographic': true},
        {'name': 'shares', 'source': 'shares', 'kind': 'count', 'demographic': true},
        {'name': 'follows', 'source': 'follows', 'kind': 'count', 'demographic': true},
        {'name': 'opens', 'source': 'opens', 'kind': 'count', 'demographic': true},
        {'name': 'sends', 'source': 'sends', 'kind': 'count', 'demographic': true},
    ]) }}
{%- endmacro %}

{#- SQL type of a gold metric. -#}
{% macro gold_metric_type(metric) -%}
    {%- if metric.kind == 'money' -%}{{ type_money() }}{%- else -%}bigint{%- endif -%}
{%- endmacro %}

{#-
    The ratio metrics of the *_report_daily tables, always over the row's sums (ratio of sums),
    null when the denominator is 0. Money ratios are in the account's local currency.
-#}
{% macro report_ratio_columns(relation_alias) -%}
    {%- set m = relation_alias ~ '.' -%}
    {{ safe_divide(m ~ 'clicks', m ~ 'impressions') }} as ctr,
    {{ safe_divide(m ~ 'cost_local', m ~ 'clicks') }} as cpc,
    {{ safe_divide(m ~ 'cost_local', m ~ 'impressions', scale=1000) }} as cpm,
    {{ safe_divide(m ~ 'conversions', m ~ 'clicks') }} as conversion_rate,
    {{ safe_divide(m ~ 'cost_local', m ~ 'conversions') }} as cost_per_conversion,
    {{ safe_divide(m ~ 'cost_local', m ~ 'leads') }} as cost_per_lead,
    {{ safe_divide(m ~ 'total_engagements', m ~ 'impressions') }} as engagement_rate,
    {{ safe_divide(m ~ 'conversion_value_local', m ~ 'cost_local') }} as roas
{%- endmacro %}

{#- Every gold metric summed over the group, cast back to its gold type (DuckDB sums bigint to HUGEINT). -#}
{% macro summed_gold_metrics(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- for metric in gold_metrics() %}
    cast(sum({{ prefix }}{{ metric.name }}) as {{ gold_metric_type(metric) }}) as {{ metric.name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Every gold metric (or only those served for member pivots) from a staging relation: the API
    metric's bronze column renamed to its gold name and cast to its gold type.
-#}
{% macro gold_metrics_from_staging(relation_alias, demographic_only=false) -%}
    {%- set metrics = gold_metrics() | selectattr('demographic') | list if demographic_only else gold_metrics() -%}
    {%- for metric in metrics %}
    cast({{ relation_alias }}.{{ metric.source }} as {{ gold_metric_type(metric) }}) as {{ metric.name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
