{#-
    Data tests of the incremental facts, and of the report views over them, check the rows of the
    days an incremental run rebuilds instead of the whole history, so their cost follows a day's
    data, not the years behind it. Sound because every other row was written by an earlier run
    whose tests checked it, and a run never rewrites it.

    A model opts in with `meta: {test_window: {...}}`: `day_column` (the rows' day or month),
    optionally `built_day_column` and `grain` (as in lookback_filter), `built_model` (a report view
    takes the window of the fact it reads, which is cheaper to ask than the view) and `full_tests`
    (generic tests that still read every row: the facts' `relationships` to the dimensions, which
    every run rebuilds). With --full-refresh every test reads every row.

    dbt wraps the model of every generic test in get_where_subquery (this overrides dbt's own,
    which only applies the `where` config; that config still applies on top).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window = test_window() -%}
    {%- if window -%}
        {%- set built = window_relation(window.built_model) if window.built_model else relation -%}
        {%- set start = lookback_start(
            built, window.get('built_day_column', window.day_column), window.get('grain', 'day')
        ) -%}
        {%- do conditions.append(window.day_column ~ ' >= ' ~ start) -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The test_window of the model this generic test is attached to, or none when the whole model is
    tested (no window, a test listed in full_tests, --full-refresh, or at parse time). -#}
{% macro test_window() -%}
    {%- if not execute or flags.FULL_REFRESH or not model.attached_node -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set window = tested.config.meta.get('test_window') if tested else none -%}
    {%- if not window or model.test_metadata.name in window.get('full_tests', []) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(window) }}
{%- endmacro %}

{#- The relation of a model of this project, by name. -#}
{% macro window_relation(model_name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('test_window: no model named ' ~ model_name) }}
{%- endmacro %}
