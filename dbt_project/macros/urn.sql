{#-
    LinkedIn URNs look like `urn:li:<entity type>:<id>` (`urn:li:sponsoredCampaign:123`).
    urn_type() returns the entity type, urn_key() the id as text, urn_id() the id as bigint
    (only for URNs whose id is numeric: sponsoredAccount, sponsoredCampaignGroup,
    sponsoredCampaign, sponsoredCreative).
-#}
{% macro urn_type(urn) -%}
    {{ dbt.split_part(urn, "':'", 3) }}
{%- endmacro %}

{% macro urn_key(urn) -%}
    {{ dbt.split_part(urn, "':'", 4) }}
{%- endmacro %}

{% macro urn_id(urn) -%}
    cast({{ dbt.split_part(urn, "':'", 4) }} as bigint)
{%- endmacro %}
