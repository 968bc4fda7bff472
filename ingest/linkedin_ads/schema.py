"""dlt column hints and merge keys of the bronze tables the source writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.linkedin_ads.settings import Metric

__all__ = [
    "ENTITY_TYPES",
    "analytics_columns",
    "analytics_primary_key",
    "entity_columns",
    "metric_columns",
]

# Column types where inference would guess wrong, and of every optional field dbt reads, so that
# the column exists even when the API leaves the field out of every record. List fields are json
# columns of their table (dlt would otherwise unpack them into child tables).
_AUDIT = {
    "change_audit_stamps__created__time": "bigint",
    "change_audit_stamps__last_modified__time": "bigint",
}
_BUDGETS = {
    f"{budget}__{part}": "text"
    for budget in ("total_budget", "daily_budget")
    for part in ("amount", "currency_code")
}
_CAMPAIGN_TEXT = (
    "name", "account", "campaign_group", "status", "type", "cost_type", "objective_type",
    "optimization_target_type", "format", "creative_selection", "pacing_strategy",
    "unit_cost__amount", "unit_cost__currency_code", "locale__country", "locale__language",
    "associated_entity",
)  # fmt: skip
_CREATIVE_TEXT = (
    "name", "account", "campaign", "intended_status", "created_by", "last_modified_by",
    "review__status", "content__reference", "content__text_ad__headline",
    "content__text_ad__description", "content__text_ad__landing_page",
)  # fmt: skip
_POST_TEXT = (
    "author", "commentary", "lifecycle_state", "content__article__title",
    "content__article__description", "content__article__source", "content__media__title",
    "content__media__id", "read_error",
)  # fmt: skip
ENTITY_TYPES: dict[str, dict[str, str]] = {
    "ad_accounts": {
        "id": "bigint",
        **dict.fromkeys(("name", "currency", "status", "type", "reference"), "text"),
        "test": "bool",
        "serving_statuses": "json",
        "total_budget__amount": "text",
        "total_budget__currency_code": "text",
        **_AUDIT,
    },
    "campaign_groups": {
        "id": "bigint",
        **dict.fromkeys(("name", "account", "status"), "text"),
        "test": "bool",
        "backfilled": "bool",
        "serving_statuses": "json",
        "run_schedule__start": "bigint",
        "run_schedule__end": "bigint",
        **_BUDGETS,
        **_AUDIT,
    },
    "campaigns": {
        "id": "bigint",
        **dict.fromkeys(_CAMPAIGN_TEXT, "text"),
        "test": "bool",
        "run_schedule__start": "bigint",
        "run_schedule__end": "bigint",
        "targeting_criteria": "json",
        "offsite_preferences": "json",
        "serving_statuses": "json",
        **_BUDGETS,
        **_AUDIT,
    },
    "creatives": {
        "id": "text",
        **dict.fromkeys(_CREATIVE_TEXT, "text"),
        "is_serving": "bool",
        "is_test": "bool",
        "serving_hold_reasons": "json",
        "review__rejection_reasons": "json",
        "created_at": "bigint",
        "last_modified_at": "bigint",
    },
    "posts": {
        "id": "text",
        **dict.fromkeys(_POST_TEXT, "text"),
        "published_at": "bigint",
        "last_modified_at": "bigint",
        "read_status": "bigint",
    },
    "conversions": {
        "id": "bigint",
        **dict.fromkeys(
            ("name", "type", "account", "attribution_type", "conversion_method"), "text"
        ),
        "enabled": "bool",
        "post_click_attribution_window_size": "bigint",
        "view_through_attribution_window_size": "bigint",
        "value__amount": "text",
        "value__currency_code": "text",
        "created": "bigint",
        "last_modified": "bigint",
        "campaigns": "json",
    },
}


def entity_columns(table: str) -> dict[str, dict[str, Any]]:
    """dlt column hints of an entity table (new dicts each call: dlt fills hints in place)."""
    return {
        column: {"data_type": data_type, "nullable": column != "id"}
        for column, data_type in ENTITY_TYPES[table].items()
    }


def metric_columns(metrics: Sequence[Metric]) -> dict[str, dict[str, Any]]:
    """Bronze column hints of adAnalytics metrics: counts bigint, BigDecimals decimal(38,18)."""
    return {
        metric.column: (
            {"data_type": "bigint", "nullable": False}
            if metric.kind == "count"
            else {"data_type": "decimal", "precision": 38, "scale": 18, "nullable": False}
        )
        for metric in metrics
    }


def analytics_primary_key(by_campaign: bool) -> tuple[str, ...]:
    """Merge key of an adAnalytics table: a demographic row also belongs to its campaign."""
    keys = ("pivot_value", "start_date")
    return ("campaign", *keys) if by_campaign else keys


def analytics_columns(metrics: Sequence[Metric], by_campaign: bool) -> dict[str, dict[str, Any]]:
    """Column hints of an adAnalytics table: its keys, date range and metrics."""
    campaign = {
        "campaign": {"data_type": "text", "nullable": False},
        "pivot": {"data_type": "text", "nullable": False},
    }
    return {
        **(campaign if by_campaign else {}),
        "pivot_value": {"data_type": "text", "nullable": False},
        "start_date": {"data_type": "date", "nullable": False},
        "end_date": {"data_type": "date", "nullable": False},
        **metric_columns(metrics),
    }
