{#-
    dbt snapshots on Spark without Delta, Iceberg or Hudi (whose jars these machines cannot fetch).
    dbt-spark's snapshot ends in a MERGE, which plain Parquet tables lack, and refuses any other
    format. This is its materialization with the format check left out, and the merge done as a
    rewrite: the merged table (existing versions, closed where the staging rows say so, plus the
    new versions) is written to a work table, then `insert overwrite` replaces the snapshot with
    it. Same change detection (dbt's own strategy and staging macros), same columns, same rows as
    a MERGE. Not atomic: a run killed between the two statements leaves the work table, which the
    next run drops and recomputes, and the snapshot as it was.
-#}

{% macro spark__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set merged = api.Relation.create(
        schema=target.schema, identifier=target.identifier ~ '__dbt_merged', type='table') -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {%- set valid_to = columns.dbt_valid_to -%}
    {% call statement('drop_merged') %}drop table if exists {{ merged }}{% endcall %}
    {% call statement('build_merged') %}
        create table {{ merged }} using parquet as
        select
            {%- for column in target_columns %}
            {%- if column == valid_to %}
            case
                when
                    snapshot_changes.{{ columns.dbt_scd_id }} is not null
                    and snapshot_rows.{{ valid_to }} is null
                    then snapshot_changes.{{ valid_to }}
                else snapshot_rows.{{ valid_to }}
            end as {{ valid_to }}{{ ',' if not loop.last }}
            {%- else %}
            snapshot_rows.`{{ column }}`{{ ',' if not loop.last }}
            {%- endif %}
            {%- endfor %}
        from {{ target }} as snapshot_rows
        left join (
            select * from {{ source }} where dbt_change_type in ('update', 'delete')
        ) as snapshot_changes
            on snapshot_rows.{{ columns.dbt_scd_id }} = snapshot_changes.{{ columns.dbt_scd_id }}

        union all

        select
            {%- for column in target_columns %}
            `{{ column }}`{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }}
        where dbt_change_type = 'insert'
    {% endcall %}
    insert overwrite table {{ target }}
    select * from {{ merged }}
{%- endmacro %}

{% macro spark__post_snapshot(staging_relation) -%}
    {% do adapter.drop_relation(staging_relation) %}
    {% call statement('drop_merged') -%}
        drop table if exists {{ staging_relation.schema }}.{{ staging_relation.identifier | replace('__dbt_tmp', '__dbt_merged') }}
    {%- endcall %}
{%- endmacro %}

{% materialization snapshot, adapter='spark' %}

    {%- set target_table = model.get('alias', model.get('name')) -%}
    {%- set strategy_name = config.get('strategy') -%}
    {%- set grant_config = config.get('grants') -%}

    {% set target_relation_exists, target_relation = get_or_create_relation(
            database=none,
            schema=model.schema,
            identifier=target_table,
            type='table') -%}

    {% if not adapter.check_schema_exists(model.database, model.schema) %}
        {% do create_schema(model.schema) %}
    {% endif %}

    {%- if not target_relation.is_table -%}
        {% do exceptions.relation_wrong_type(target_relation, 'table') %}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% set strategy_macro = strategy_dispatch(strategy_name) %}
    {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

    {% if not target_relation_exists %}
        {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
        {% set final_sql = create_table_as(False, target_relation, build_sql) %}
    {% else %}
        {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}
        {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
        {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                     | rejectattr('name', 'equalto', 'dbt_change_type')
                                     | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                     | rejectattr('name', 'equalto', 'dbt_unique_key')
                                     | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                     | list %}
        {% do create_columns(target_relation, missing_columns) %}
        {% set final_sql = snapshot_merge_sql(target=target_relation, source=staging_table, insert_cols=[]) %}
    {% endif %}

    {% call statement('main') %}
        {{ final_sql }}
    {% endcall %}

    {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
    {% do apply_grants(target_relation, grant_config, should_revoke) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}

    {% if staging_table is defined %}
        {% do post_snapshot(staging_table) %}
    {% endif %}

    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
