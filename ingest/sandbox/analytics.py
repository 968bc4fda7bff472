"""adAnalytics: parse and validate a finder query, aggregate creative facts into rows."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from ingest.linkedin_ads.settings import DEMOGRAPHIC_PIVOTS, MAX_FIELDS_PER_REQUEST, METRICS

from .data import Advertiser, CreativeRef, format_decimal
from .demographics import Demographics
from .errors import bad_request, missing_parameter, restli_error
from .restli import Query, as_list, enum_value

ENTITY_PIVOTS = ("ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE")
MEMBER_PIVOTS = frozenset(DEMOGRAPHIC_PIVOTS.values())
GRANULARITIES = ("DAILY", "MONTHLY", "YEARLY", "ALL")
DOCUMENTED_PIVOTS = frozenset({
    "COMPANY", "SHARE", "CONVERSION", "CONVERSATION_NODE", "CONVERSATION_NODE_OPTION_INDEX",
    "SERVING_LOCATION", "CARD_INDEX", "PLACEMENT_NAME", "IMPRESSION_DEVICE_TYPE",
})  # fmt: skip
# Documented metrics outside the catalogue that are accepted: served for entity pivots only
# and for ranges of at most 92 days.
EXTRA_METRICS = frozenset({"approximateMemberReach"})
REACH_MAX_DAYS = 92
DECIMALS = frozenset(m.api_name for m in METRICS if m.kind == "decimal")
NON_DEMOGRAPHIC = frozenset(m.api_name for m in METRICS if not m.demographic) | EXTRA_METRICS
KNOWN_METRICS = frozenset(m.api_name for m in METRICS) | EXTRA_METRICS
DEFAULT_FIELDS = ("impressions", "clicks", "dateRange", "pivotValues")
FACETS = {
    "accounts": "sponsoredAccount",
    "campaigns": "sponsoredCampaign",
    "creatives": "sponsoredCreative",
    "campaignGroups": "sponsoredCampaignGroup",
    "shares": None,
    "companies": "organization",
}
SORT_FIELDS = {
    "COST_IN_LOCAL_CURRENCY": "costInLocalCurrency",
    "IMPRESSIONS": "impressions",
    "CLICKS": "clicks",
    "ONE_CLICK_LEADS": "oneClickLeads",
    "OPENS": "opens",
    "SENDS": "sends",
    "EXTERNAL_WEBSITE_CONVERSIONS": "externalWebsiteConversions",
}


@dataclass(frozen=True)
class AnalyticsQuery:
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
        return [f for f in self.fields if f not in ("dateRange", "pivotValues")]


def _date(value: Any, name: str) -> date:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid value for parameter '{name}'")
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_request(f"Invalid value for parameter '{name}'") from exc


def parse(query: Query) -> AnalyticsQuery:
    """Validate the query as LinkedIn does (both Rest.li syntaxes); raise ApiError(400)."""
    finder = query.get("q")
    if finder is None:
        raise missing_parameter("q")
    if finder not in ("analytics", "statistics"):
        raise bad_request(f"Invalid value '{finder}' for parameter 'q'")
    if finder == "analytics":
        if "pivots" in query:
            raise bad_request(
                "Parameter 'pivots' is not supported by the analytics finder; use 'pivot'"
            )
        pivot = enum_value(query.get("pivot"), "pivot")
        if pivot is None:
            raise missing_parameter("pivot")
        pivots: tuple[str, ...] = (pivot,)
    else:
        if "pivot" in query:
            raise bad_request(
                "Parameter 'pivot' is not supported by the statistics finder; use 'pivots'"
            )
        pivots = tuple(enum_value(p, "pivots") or "" for p in as_list(query.get("pivots")))
        if not pivots:
            raise missing_parameter("pivots")
        if len(pivots) > 3:
            raise bad_request("Parameter 'pivots' accepts at most 3 values")
        member = [p for p in pivots if p in MEMBER_PIVOTS]
        if member:
            raise restli_error(
                400, "FIELD_INVALID", f"Pivot {member[0]} is not supported by the statistics finder"
            )
    for pivot in pivots:
        if pivot in DOCUMENTED_PIVOTS:
            raise bad_request(f"Pivot '{pivot}' is not emulated by the sandbox")
        if pivot not in ENTITY_PIVOTS and pivot not in MEMBER_PIVOTS:
            raise bad_request(f"Invalid value '{pivot}' for parameter 'pivot'")
    granularity = enum_value(query.get("timeGranularity"), "timeGranularity")
    if granularity is None:
        raise missing_parameter("timeGranularity")
    if granularity not in GRANULARITIES:
        raise bad_request(f"Invalid value '{granularity}' for parameter 'timeGranularity'")
    date_range = query.get("dateRange")
    if not isinstance(date_range, dict) or "start" not in date_range:
        raise missing_parameter("dateRange.start")
    start = _date(date_range["start"], "dateRange.start")
    end = _date(date_range["end"], "dateRange.end") if "end" in date_range else None
    if end is not None and end < start:
        raise bad_request("dateRange.end must not be before dateRange.start")
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
        raise bad_request(
            "At least one facet (accounts, campaigns, creatives, campaignGroups, shares, "
            "companies) is required"
        )
    campaign_type = enum_value(query.get("campaignType"), "campaignType")
    fields = _fields(query)
    sort = _sort(query.get("sortBy"))
    return AnalyticsQuery(
        finder, pivots, granularity, start, end, facets, campaign_type, fields, sort
    )


def _fields(query: Query) -> tuple[str, ...]:
    if "fields" not in query:
        return DEFAULT_FIELDS
    raw = query.raw.get("fields")
    text = raw if raw is not None else str(query.get("fields"))
    from urllib.parse import unquote

    names = [n.strip() for n in unquote(text).split(",")]
    if any(not n for n in names):
        raise bad_request("Invalid value for parameter 'fields'")
    if len(names) > MAX_FIELDS_PER_REQUEST:
        raise bad_request(f"Requested field count exceeds the maximum of {MAX_FIELDS_PER_REQUEST}")
    for name in names:
        if name in ("pivot", "pivotValue"):
            raise bad_request(f"Field '{name}' is not supported; use 'pivotValues'")
        if name not in KNOWN_METRICS and name not in ("dateRange", "pivotValues"):
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


def _pivot_value(pivot: str, ref: CreativeRef) -> str:
    if pivot == "CREATIVE":
        return ref.urn
    if pivot == "CAMPAIGN":
        return f"urn:li:sponsoredCampaign:{ref.campaign_id}"
    if pivot == "CAMPAIGN_GROUP":
        return f"urn:li:sponsoredCampaignGroup:{ref.group_id}"
    return f"urn:li:sponsoredAccount:{ref.account_id}"


def select_creatives(
    adv: Advertiser, query: AnalyticsQuery, forbidden: frozenset[int]
) -> list[CreativeRef]:
    """Creatives matching every facet (AND), outside forbidden accounts."""
    refs = [r for r in adv.refs.values() if r.account_id not in forbidden]
    orgs = {a["id"]: a["reference"] for a in adv.accounts}
    for name, values in query.facets.items():
        wanted = set(values)
        if name == "accounts":
            refs = [r for r in refs if f"urn:li:sponsoredAccount:{r.account_id}" in wanted]
        elif name == "campaigns":
            refs = [r for r in refs if f"urn:li:sponsoredCampaign:{r.campaign_id}" in wanted]
        elif name == "campaignGroups":
            refs = [r for r in refs if f"urn:li:sponsoredCampaignGroup:{r.group_id}" in wanted]
        elif name == "creatives":
            refs = [r for r in refs if r.urn in wanted]
        elif name == "shares":
            refs = [r for r in refs if r.reference in wanted]
        else:
            refs = [r for r in refs if orgs[r.account_id] in wanted]
    if query.campaign_type:
        refs = [r for r in refs if r.campaign_type == query.campaign_type]
    return refs


def _period_bounds(granularity: str, ordinal: int, lo: int, hi: int) -> tuple[int, int]:
    if granularity == "DAILY":
        return ordinal, ordinal
    if granularity == "ALL":
        return lo, hi
    day = date.fromordinal(ordinal)
    if granularity == "MONTHLY":
        first = date(day.year, day.month, 1).toordinal()
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1]).toordinal()
    else:
        first, last = date(day.year, 1, 1).toordinal(), date(day.year, 12, 31).toordinal()
    return max(first, lo), min(last, hi)


def _date_json(ordinal: int) -> dict[str, int]:
    day = date.fromordinal(ordinal)
    return {"year": day.year, "month": day.month, "day": day.day}


class AnalyticsEngine:
    """Computes adAnalytics responses from an Advertiser."""

    def __init__(self, adv: Advertiser) -> None:
        self.adv = adv
        self.demographics = Demographics(adv.seed)

    def rows(
        self,
        query: AnalyticsQuery,
        *,
        forbidden: frozenset[int],
        row_cap: int,
        noise: float,
        extra_fields: bool,
    ) -> list[dict[str, Any]]:
        """The response elements: suppressed zero rows, stable order, truncated at row_cap."""
        adv = self.adv
        lo = max(query.start.toordinal(), adv.first_ordinal)
        end = query.end.toordinal() if query.end else adv.last_ordinal
        hi = min(end, adv.last_ordinal)
        member = query.pivots[0] in MEMBER_PIVOTS
        requested = query.metrics
        served = [m for m in requested if not (member and m in NON_DEMOGRAPHIC)]
        if (
            "approximateMemberReach" in served
            and end - query.start.toordinal() + 1 > REACH_MAX_DAYS
        ):
            served.remove("approximateMemberReach")
        decisive = served or ["impressions", "clicks"]  # no metric asked: judge on the defaults
        needed = list(dict.fromkeys([*served, *decisive, *([query.sort[0]] if query.sort else [])]))
        needed = [n for n in needed if n != "approximateMemberReach"]
        if "approximateMemberReach" in served and "impressions" not in needed:
            needed.append("impressions")
        if lo > hi:
            return []
        if member:
            hi = min(hi, adv.last_ordinal - 1)  # demographics lag a day
        creatives = select_creatives(adv, query, forbidden)
        period_of = {o: _period_bounds(query.granularity, o, lo, hi) for o in range(lo, hi + 1)}
        if member:
            buckets = self._member_buckets(query, creatives, period_of, needed, noise)
        else:
            buckets = self._entity_buckets(query, creatives, period_of, needed)
        index = {name: i for i, name in enumerate(needed)}
        decisive_idx = [index[n] if n in index else index["impressions"] for n in decisive]
        keys = sorted(k for k, v in buckets.items() if any(v[i] for i in decisive_idx))
        if query.sort:
            position = index[query.sort[0]]
            keys.sort(key=lambda k: buckets[k][position], reverse=query.sort[1])
        out: list[dict[str, Any]] = []
        want_range = "dateRange" in query.fields
        want_pivots = "pivotValues" in query.fields
        for key in keys[:row_cap]:
            values = buckets[key]
            row: dict[str, Any] = {}
            for name in served:
                if name == "approximateMemberReach":
                    row[name] = values[index["impressions"]] * 3 // 5
                elif name in DECIMALS:
                    row[name] = format_decimal(values[index[name]])
                else:
                    row[name] = values[index[name]]
            if want_pivots:
                row["pivotValues"] = list(key[0])
            if want_range:
                row["dateRange"] = {"start": _date_json(key[1][0]), "end": _date_json(key[1][1])}
            if extra_fields:
                row["sponsoredDriftMetric"] = 0
            out.append(row)
        return out

    def _entity_buckets(
        self,
        query: AnalyticsQuery,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        needed: list[str],
    ) -> dict[tuple[tuple[str, ...], tuple[int, int]], list[int]]:
        buckets: dict[tuple[tuple[str, ...], tuple[int, int]], list[int]] = {}
        width = len(needed)
        pairs = list(enumerate(needed))
        facts = self.adv.facts
        for ref in creatives:
            pivot_key = tuple(_pivot_value(p, ref) for p in query.pivots)
            for ordinal, metrics in facts.get(ref.urn, {}).items():
                period = period_of.get(ordinal)
                if period is None:
                    continue
                key = (pivot_key, period)
                acc = buckets.get(key)
                if acc is None:
                    acc = buckets[key] = [0] * width
                for i, name in pairs:
                    value = metrics.get(name)
                    if value:
                        acc[i] += value
        return buckets

    def _member_buckets(
        self,
        query: AnalyticsQuery,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        needed: list[str],
        noise: float,
    ) -> dict[tuple[tuple[str, ...], tuple[int, int]], list[int]]:
        pivot = query.pivots[0]
        names = list(dict.fromkeys(["impressions", *needed]))
        per_campaign: dict[tuple[int, tuple[int, int]], dict[str, int]] = {}
        facts = self.adv.facts
        for ref in creatives:
            for ordinal, metrics in facts.get(ref.urn, {}).items():
                period = period_of.get(ordinal)
                if period is None:
                    continue
                totals = per_campaign.setdefault((ref.campaign_id, period), {})
                for name in names:
                    value = metrics.get(name)
                    if value:
                        totals[name] = totals.get(name, 0) + value
        buckets: dict[tuple[tuple[str, ...], tuple[int, int]], list[int]] = {}
        width = len(needed)
        for (campaign_id, period), totals in sorted(per_campaign.items()):
            parts = self.demographics.split(
                pivot, campaign_id, period[0], totals, names, DECIMALS, noise
            )
            for value, metrics in parts:
                acc = buckets.setdefault(((value,), period), [0] * width)
                for i, name in enumerate(needed):
                    acc[i] += metrics.get(name, 0)
        return buckets
