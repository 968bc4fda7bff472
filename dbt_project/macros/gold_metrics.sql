{#-
    The gold metric map is the var `gold_metrics` (dbt_project.yml): gold column -> API metric,
    kind, member_pivots, description, in gold column order. These macros read it; nothing else
    lists the metrics. The bronze column of an API metric is its name in snake_case
    (costInLocalCurrency -> cost_in_local_currency), which is how dlt names it.
-#}
{% macro gold_metrics(member_pivots_only=false, device_pivot_only=false) -%}
    {%- set metrics = [] -%}
    {%- for name, metric in var('gold_metrics').items() -%}
        {%- if (metric.get('member_pivots', true) or not member_pivots_only)
            and (metric.get('device_pivot', true) or not device_pivot_only) -%}
            {%- do metrics.append({
                'name': name,
                'column': modules.re.sub('([a-z0-9])([A-Z])', '\\1_\\2', metric.api_metric).lower(),
                'kind': metric.kind,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#- SQL type of a gold metric: bigint for counts, exact decimal for money. -#}
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

{#- Every gold metric column of a relation, as a select-list (`alias.impressions, alias.clicks, ...`). -#}
{% macro gold_metric_columns(relation_alias, device_pivot_only=false) -%}
    {%- for metric in gold_metrics(device_pivot_only=device_pivot_only) %}
    {{ relation_alias }}.{{ metric.name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Every gold metric summed over the group, cast back to its gold type (DuckDB sums bigint to HUGEINT). -#}
{% macro summed_gold_metrics(relation_alias=none, device_pivot_only=false) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- for metric in gold_metrics(device_pivot_only=device_pivot_only) %}
    cast(sum({{ prefix }}{{ metric.name }}) as {{ gold_metric_type(metric) }}) as {{ metric.name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Every gold metric (or only those LinkedIn serves for member pivots) from a staging relation:
    the API metric's bronze column renamed to its gold name and cast to its gold type.
-#}
{% macro gold_metrics_from_staging(relation_alias, member_pivots_only=false, device_pivot_only=false) -%}
    {%- for metric in gold_metrics(member_pivots_only, device_pivot_only) %}
    cast({{ relation_alias }}.{{ metric.column }} as {{ gold_metric_type(metric) }}) as {{ metric.name }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
