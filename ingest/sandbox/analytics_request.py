"""adAnalytics requests: read a finder query in either Rest.li syntax and validate it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote

from .contract import (
    BREAKDOWN_PIVOTS,
    DEFAULT_FIELDS,
    ENTITY_PIVOTS,
    FACETS,
    GRANULARITIES,
    MAX_FIELDS_PER_REQUEST,
    MAX_STATISTICS_PIVOTS,
    MEMBER_PIVOTS,
    METRIC_NAMES,
    NOT_EMULATED_METRICS,
    NOT_EMULATED_PIVOTS,
    REMOVED_FIELDS,
    ROW_FIELDS,
    SORT_FIELDS,
)
from .errors import bad_request, missing_parameter, restli_error
from .restli import Query, as_list, enum_value


@dataclass(frozen=True)
class AnalyticsRequest:
    """A validated adAnalytics request."""

    finder: str
    pivots: tuple[str, ...]
    granularity: str
    start: date
    end: date | None
    facets: dict[str, tuple[str, ...]]
    campaign_type: str | None
    fields: tuple[str, ...]
    sort: tuple[str, bool] | None  # (metric, descending)

    @property
    def metrics(self) -> list[str]:
        return [f for f in self.fields if f not in ROW_FIELDS]

    @property
    def member(self) -> bool:
        """Whether the request pivots on a professional demographic."""
        return self.pivots[0] in MEMBER_PIVOTS


def parse_request(query: Query) -> AnalyticsRequest:
    """Validate the query as LinkedIn does (both Rest.li syntaxes); raise ApiError(400)."""
    finder = query.get("q")
    if finder is None:
        raise missing_parameter("q")
    if finder == "analytics":
        pivots = _analytics_pivot(query)
    elif finder == "statistics":
        pivots = _statistics_pivots(query)
    else:
        raise bad_request(f"Invalid value '{finder}' for parameter 'q'")
    for pivot in pivots:
        if pivot in NOT_EMULATED_PIVOTS:
            raise bad_request(f"Pivot '{pivot}' is not emulated by the sandbox")
        known = (*ENTITY_PIVOTS, *BREAKDOWN_PIVOTS)
        if pivot not in known and pivot not in MEMBER_PIVOTS:
            raise bad_request(f"Invalid value '{pivot}' for parameter 'pivot'")
    granularity = enum_value(query.get("timeGranularity"), "timeGranularity")
    if granularity is None:
        raise missing_parameter("timeGranularity")
    if granularity not in GRANULARITIES:
        raise bad_request(f"Invalid value '{granularity}' for parameter 'timeGranularity'")
    start, end = _date_range(query.get("dateRange"))
    return AnalyticsRequest(
        finder,
        pivots,
        granularity,
        start,
        end,
        _facets(query),
        enum_value(query.get("campaignType"), "campaignType"),
        _fields(query),
        _sort(query.get("sortBy")),
    )


def _analytics_pivot(query: Query) -> tuple[str, ...]:
    if "pivots" in query:
        raise bad_request(
            "Parameter 'pivots' is not supported by the analytics finder; use 'pivot'"
        )
    pivot = enum_value(query.get("pivot"), "pivot")
    if pivot is None:
        raise missing_parameter("pivot")
    return (pivot,)


def _statistics_pivots(query: Query) -> tuple[str, ...]:
    if "pivot" in query:
        raise bad_request(
            "Parameter 'pivot' is not supported by the statistics finder; use 'pivots'"
        )
    pivots = tuple(enum_value(p, "pivots") or "" for p in as_list(query.get("pivots")))
    if not pivots:
        raise missing_parameter("pivots")
    if len(pivots) > MAX_STATISTICS_PIVOTS:
        raise bad_request(f"Parameter 'pivots' accepts at most {MAX_STATISTICS_PIVOTS} values")
    member = [p for p in pivots if p in MEMBER_PIVOTS]
    if member:
        raise restli_error(
            400, "FIELD_INVALID", f"Pivot {member[0]} is not supported by the statistics finder"
        )
    return pivots


def _date(value: Any, name: str) -> date:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid value for parameter '{name}'")
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_request(f"Invalid value for parameter '{name}'") from exc


def _date_range(value: Any) -> tuple[date, date | None]:
    if not isinstance(value, dict) or "start" not in value:
        raise missing_parameter("dateRange.start")
    start = _date(value["start"], "dateRange.start")
    end = _date(value["end"], "dateRange.end") if "end" in value else None
    if end is not None and end < start:
        raise bad_request("dateRange.end must not be before dateRange.start")
    return start, end


def _facets(query: Query) -> dict[str, tuple[str, ...]]:
    facets: dict[str, tuple[str, ...]] = {}
    for name, kind in FACETS.items():
        if name not in query:
            continue
        values = tuple(str(v) for v in as_list(query.get(name)))
        for urn in values:
            if not urn.startswith("urn:li:") or (kind and not urn.startswith(f"urn:li:{kind}:")):
                raise bad_request(f"Invalid URN '{urn}' in parameter '{name}'")
        facets[name] = values
    if not facets:
        raise bad_request(f"At least one facet ({', '.join(FACETS)}) is required")
    return facets


def _fields(query: Query) -> tuple[str, ...]:
    if "fields" not in query:
        return DEFAULT_FIELDS
    raw = query.raw.get("fields")
    text = raw if raw is not None else str(query.get("fields"))
    names = [n.strip() for n in unquote(text).split(",")]
    if any(not n for n in names):
        raise bad_request("Invalid value for parameter 'fields'")
    if len(names) > MAX_FIELDS_PER_REQUEST:
        raise bad_request(f"Requested field count exceeds the maximum of {MAX_FIELDS_PER_REQUEST}")
    for name in names:
        if name in REMOVED_FIELDS:
            raise bad_request(f"Field '{name}' is not supported; use 'pivotValues'")
        if name in NOT_EMULATED_METRICS:
            raise bad_request(f"Metric '{name}' is not emulated by the sandbox")
        if name not in METRIC_NAMES and name not in ROW_FIELDS:
            raise bad_request(f"Unknown field '{name}' in parameter 'fields'")
    return tuple(dict.fromkeys(names))


def _sort(value: Any) -> tuple[str, bool] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("field") not in SORT_FIELDS:
        raise bad_request("Invalid value for parameter 'sortBy'")
    order = value.get("order", "DESCENDING")
    if order not in ("ASCENDING", "DESCENDING"):
        raise bad_request("Invalid value for parameter 'sortBy.order'")
    return SORT_FIELDS[value["field"]], order == "DESCENDING"
