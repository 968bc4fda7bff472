{#-
    The validity window of each version in a dbt snapshot of an entity (type-2 history):
    version_number (1, 2, ... in dbt_valid_from order), is_current, valid_from and valid_to.
    valid_from of the entity's first version is moved back to its created_at: the warehouse first
    saw the entity later, and the attributes first seen are assumed since creation (better than
    no attributes for early spend). valid_to is the next version's valid_from, null when current.
    As-of join: date_day >= cast(valid_from as date)
    and (valid_to is null or date_day < cast(valid_to as date)).
-#}
{% macro snapshot_validity(id_column) -%}
    cast(row_number() over (partition by {{ id_column }} order by dbt_valid_from) as bigint) as version_number,
    dbt_valid_to is null as is_current,
    case
        when
            dbt_valid_from = min(dbt_valid_from) over (partition by {{ id_column }})
            and created_at < dbt_valid_from
            then created_at
        else dbt_valid_from
    end as valid_from,
    dbt_valid_to as valid_to
{%- endmacro %}
