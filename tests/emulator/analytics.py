"""adAnalytics for the emulator: validate a `q=analytics` / `q=statistics` call, aggregate the
world's creative-day facts into rows, and expose the same computation as ground truth.

Choices where LinkedIn's documentation is silent:
* rows come sorted by period start DESCENDING, then pivot values ascending, so a silent
  truncation at `row_cap` drops the beginning of the range (matching reports of missing early
  campaigns); `sortBy=(field:X,order:Y)` re-sorts stably by that metric;
* MONTHLY/YEARLY/ALL rows carry a dateRange clipped to the requested range, and aggregate only
  the requested days of each period; an open end means "up to today";
* `pivot` is required for `q=analytics`; `pivot` and `pivots` may not be mixed;
* `fields` naming only dateRange/pivotValues returns one row per period that has any fact;
  otherwise a row is dropped when every requested metric is 0;
* reach (`approximateMemberReach`, never modelled, so 0) is left out of rows when the range is
  longer than 92 days; reach and conversion metrics are left out when IMPRESSION_DEVICE_TYPE is
  a pivot; non-demographic metrics are left out on MEMBER_* rows;
* MEMBER_* rows: per campaign and period, the campaign's totals times fixed per-campaign audience
  shares (ints floored, money rounded to 18 decimals), summed over the campaigns in scope; values
  under 3 impressions are dropped and at most 100 values are kept per period. No noise is added;
* the CONVERSION pivot answers 403: this emulator's token has no conversion-tracking access;
* other valid pivots (SHARE, COMPANY, SERVING_LOCATION, ...) answer 200 with no rows;
* `approximateUniqueImpressions` (deprecated in 2024) is an unknown field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any

from .data import (
    DECIMAL_METRICS,
    EXACT,
    MEMBER_PIVOTS,
    METRICS,
    NO_DEVICE,
    NON_DEMOGRAPHIC,
    Number,
    World,
)
from .restli import ApiError

DEVICE = "IMPRESSION_DEVICE_TYPE"
ENTITY_PIVOTS = ("ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE", DEVICE)
OTHER_PIVOTS = (
    "COMPANY", "SHARE", "CONVERSATION_NODE", "CONVERSATION_NODE_OPTION_INDEX", "SERVING_LOCATION",
    "CARD_INDEX", "PLACEMENT_NAME", "EVENT_STAGE", "OBJECTIVE_TYPE", "CONVERSION",
)  # fmt: skip
FACETS = {
    "accounts": ("sponsoredAccount",),
    "campaigns": ("sponsoredCampaign",),
    "creatives": ("sponsoredCreative",),
    "campaignGroups": ("sponsoredCampaignGroup",),
    "shares": ("share", "ugcPost"),
    "companies": ("organization",),
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
GRANULARITIES = ("DAILY", "MONTHLY", "YEARLY", "ALL")
Q18 = Decimal("1E-18")
RowKey = tuple[tuple[str, ...], date, date]


@dataclass
class Request:
    finder: str
    pivots: list[str]
    granularity: str
    start: date
    end: date
    scope: list[int]  # creative ids
    fields: list[str]
    sort: tuple[str, bool] | None  # metric, descending

    @property
    def key(self) -> str:
        return f"{self.finder}:{','.join(self.pivots)}"


def _bad(message: str, code: str | None = None) -> ApiError:
    return ApiError(400, message, code)


def _enum(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None:
        raise _bad(f"Parameter '{name}' is required.")
    if isinstance(value, dict) and set(value) == {"value"}:
        value = value["value"]
    if not isinstance(value, str):
        raise _bad(f"Invalid value for parameter '{name}'.")
    return value


def _date(value: Any, name: str) -> date:
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(f"Invalid value for parameter 'dateRange.{name}'.") from exc


def parse_request(world: World, params: dict[str, Any], version: str) -> Request:
    """Validate an adAnalytics call and resolve its facets to a set of creatives."""
    finder = params.get("q")
    if finder not in ("analytics", "statistics"):
        raise _bad("Parameter 'q' is required." if finder is None else f"Unsupported q={finder}.")
    if finder == "analytics":
        if "pivots" in params:
            raise _bad("Parameter 'pivots' is not allowed with q=analytics; use 'pivot'.")
        pivots = [_enum(params, "pivot")]
    else:
        raw = params.get("pivots")
        if "pivot" in params or not isinstance(raw, list) or not 1 <= len(raw) <= 3:
            raise _bad("Parameter 'pivots' must be a List of one to three pivots.")
        pivots = [_enum({"p": p}, "p") for p in raw]
        if len(set(pivots)) != len(pivots):
            raise _bad("Parameter 'pivots' repeats a pivot.")
    for pivot in pivots:
        if pivot.startswith("MEMBER_") and finder == "statistics":
            raise _bad(f"Pivot {pivot} is not supported by the statistics finder.", "FIELD_INVALID")
        if pivot not in ENTITY_PIVOTS + OTHER_PIVOTS + MEMBER_PIVOTS:
            raise _bad(f"Invalid pivot value {pivot}.")
        if pivot == "CONVERSION":
            raise ApiError(
                403,
                f"Not enough permissions to access: adAnalytics.FINDER-{finder}.{version[:6]}01",
                "ACCESS_DENIED",
                serviceErrorCode=100,
            )
    granularity = _enum(params, "timeGranularity")
    if granularity not in GRANULARITIES:
        raise _bad(f"Invalid value for parameter 'timeGranularity': {granularity}.")
    date_range = params.get("dateRange")
    if not isinstance(date_range, dict) or "start" not in date_range:
        raise _bad("Parameter 'dateRange.start' is required.")
    start = _date(date_range["start"], "start")
    end = _date(date_range["end"], "end") if "end" in date_range else world.cfg.today
    if end < start:
        raise _bad("dateRange.end must not be before dateRange.start.")
    return Request(
        finder,
        pivots,
        granularity,
        start,
        end,
        _scope(world, params),
        _fields(params),
        _sort(params),
    )


def _scope(world: World, params: dict[str, Any]) -> list[int]:
    scope: set[int] | None = None
    references = {a["id"]: a["reference"] for a in world.accounts}
    for facet, kinds in FACETS.items():
        if facet not in params:
            continue
        raw = params[facet]
        urns = raw if isinstance(raw, list) else [raw]
        ids: set[Any] = set()
        for urn in urns:
            match = re.fullmatch(r"urn:li:(\w+):(\d+)", urn) if isinstance(urn, str) else None
            if not match or match[1] not in kinds:
                raise _bad(f"Invalid URN {urn!r} in facet '{facet}'.")
            ids.add(urn if facet in ("shares", "companies") else int(match[2]))
        hits = set()
        for cr in world.creatives.values():
            value = {
                "accounts": cr.account_id,
                "campaigns": cr.campaign_id,
                "creatives": cr.id,
                "campaignGroups": world.campaigns[cr.campaign_id].group_id,
                "shares": cr.content.get("reference"),
                "companies": references[cr.account_id],
            }[facet]
            if value in ids:
                hits.add(cr.id)
        scope = hits if scope is None else scope & hits
    if scope is None:
        raise _bad("At least one facet (accounts, campaigns, creatives, ...) is required.")
    if "campaignType" in params:
        ctype = _enum(params, "campaignType")
        scope = {c for c in scope if world.campaigns[world.creatives[c].campaign_id].type == ctype}
    return sorted(scope)


def _fields(params: dict[str, Any]) -> list[str]:
    raw = params.get("fields")
    if raw is None:
        return ["dateRange", "pivotValues", "impressions", "clicks"]
    names = raw if isinstance(raw, list) else str(raw).split(",")
    if len(names) > 20:
        raise _bad(f"Too many fields requested ({len(names)}); at most 20 are allowed.")
    for name in names:
        if name in ("pivot", "pivotValue"):
            raise _bad(f"Field '{name}' is no longer supported; request 'pivotValues'.")
        if name not in METRICS and name not in ("dateRange", "pivotValues"):
            raise _bad(f"Unknown field '{name}' in projection.")
    return names


def _sort(params: dict[str, Any]) -> tuple[str, bool] | None:
    raw = params.get("sortBy")
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("field") not in SORT_FIELDS:
        raise _bad("Invalid value for parameter 'sortBy'.")
    return SORT_FIELDS[raw["field"]], raw.get("order", "DESCENDING") == "DESCENDING"


def _bucket(day: date, granularity: str, start: date, end: date) -> tuple[date, date]:
    if granularity == "DAILY":
        return day, day
    if granularity == "ALL":
        return start, end
    if granularity == "MONTHLY":
        lo = day.replace(day=1)
        hi = (lo + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        lo, hi = date(day.year, 1, 1), date(day.year, 12, 31)
    return max(lo, start), min(hi, end)


def _add(into: dict[str, Number], metrics: dict[str, Number]) -> None:
    for k, v in metrics.items():
        into[k] = into.get(k, 0) + v


def entity_rows(
    world: World, pivots: list[str], granularity: str, start: date, end: date, scope: list[int]
) -> dict[RowKey, dict[str, Number]]:
    """Sum creative-day facts (or their device splits) per pivot values and period."""
    out: dict[RowKey, dict[str, Number]] = {}
    if not all(p in ENTITY_PIVOTS for p in pivots):
        return out
    with localcontext(EXACT):
        for cid in scope:
            cr = world.creatives[cid]
            camp = world.campaigns[cr.campaign_id]
            ids = {
                "ACCOUNT": f"urn:li:sponsoredAccount:{cr.account_id}",
                "CAMPAIGN_GROUP": f"urn:li:sponsoredCampaignGroup:{camp.group_id}",
                "CAMPAIGN": f"urn:li:sponsoredCampaign:{camp.id}",
                "CREATIVE": cr.urn,
            }
            for offset, metrics in world.facts.get(cid, {}).items():
                day = world.first_day + timedelta(days=offset)
                if not start <= day <= end:
                    continue
                lo, hi = _bucket(day, granularity, start, end)
                parts = world.devices[(cid, offset)] if DEVICE in pivots else {"": metrics}
                for device, part in parts.items():
                    values = tuple(device if p == DEVICE else ids[p] for p in pivots)
                    _add(out.setdefault((values, lo, hi), {}), part)
    return out


def member_rows(
    world: World, pivot: str, granularity: str, start: date, end: date, scope: list[int]
) -> dict[RowKey, dict[str, Number]]:
    """Demographic rows: per campaign and period totals split by audience shares."""
    totals: dict[tuple[int, date, date], dict[str, Number]] = {}
    out: dict[RowKey, dict[str, Number]] = {}
    with localcontext(EXACT):
        for cid in scope:
            campaign_id = world.creatives[cid].campaign_id
            for offset, metrics in world.facts.get(cid, {}).items():
                day = world.first_day + timedelta(days=offset)
                if start <= day <= end:
                    lo, hi = _bucket(day, granularity, start, end)
                    _add(totals.setdefault((campaign_id, lo, hi), {}), metrics)
        for (campaign_id, lo, hi), total in totals.items():
            for value, share in world.member_shares(pivot, campaign_id):
                split = {
                    k: int(v * share) if isinstance(v, int) else (v * share).quantize(Q18)
                    for k, v in total.items()
                    if k not in NON_DEMOGRAPHIC
                }
                _add(out.setdefault(((value,), lo, hi), {}), split)
    kept = sorted(
        ((key, m) for key, m in out.items() if m.get("impressions", 0) >= 3),
        key=lambda item: (item[0][1], -item[1]["impressions"], item[0][0]),
    )
    per_period: dict[tuple[date, date], int] = {}
    result = {}
    for key, metrics in kept:
        period = (key[1], key[2])
        per_period[period] = per_period.get(period, 0) + 1
        if per_period[period] <= 100:
            result[key] = metrics
    return result


def wire(metric: str, value: Number) -> Any:
    """JSON form of a metric: BigDecimal metrics as plain decimal strings, counts as ints."""
    if metric in DECIMAL_METRICS:
        return format(Decimal(value), "f")
    return value


def answer(world: World, req: Request, row_cap: int) -> list[dict[str, Any]]:
    """The `elements` of an adAnalytics answer."""
    member = req.pivots[0].startswith("MEMBER_")
    if member:
        rows = member_rows(world, req.pivots[0], req.granularity, req.start, req.end, req.scope)
    else:
        rows = entity_rows(world, req.pivots, req.granularity, req.start, req.end, req.scope)
    omit = set(NON_DEMOGRAPHIC if member else ()) | set(NO_DEVICE if DEVICE in req.pivots else ())
    if (req.end - req.start).days + 1 > 92:
        omit.add("approximateMemberReach")
    requested = [f for f in req.fields if f not in ("dateRange", "pivotValues")]
    served = [f for f in requested if f not in omit]
    keys = sorted(rows, key=lambda k: k[0])
    keys.sort(key=lambda k: k[1], reverse=True)
    if req.sort:
        metric, descending = req.sort
        keys.sort(key=lambda k: rows[k].get(metric, 0), reverse=descending)
    elements = []
    for key in keys:
        metrics = rows[key]
        if requested and not any(metrics.get(f, 0) != 0 for f in served):
            continue
        element: dict[str, Any] = {}
        if "pivotValues" in req.fields:
            element["pivotValues"] = list(key[0])
        if "dateRange" in req.fields:
            element["dateRange"] = {"start": _ymd(key[1]), "end": _ymd(key[2])}
        for f in served:
            element[f] = wire(f, metrics.get(f, 0))
        elements.append(element)
    return elements[:row_cap]


def _ymd(d: date) -> dict[str, int]:
    return {"year": d.year, "month": d.month, "day": d.day}


class Truth:
    """What a test compares a warehouse to. Built from the same facts the server answers from."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._cache: dict[tuple[str, str], dict[Any, dict[str, Number]]] = {}
        self.accounts = [
            {k: a[k] for k in ("id", "name", "currency", "test", "status")} for a in world.accounts
        ]
        self.campaigns = [
            {
                "id": c.id,
                "account_id": c.account_id,
                "campaign_group_id": c.group_id,
                "name": c.name,
                "status": c.status,
            }
            for c in world.campaigns.values()
        ]
        self.creatives = [
            {
                "id": c.urn,
                "campaign_id": c.campaign_id,
                "account_id": c.account_id,
                "status": c.status,
            }
            for c in world.creatives.values()
        ]

    @staticmethod
    def _full(metrics: dict[str, Number], names: list[str]) -> dict[str, Number]:
        return {
            n: Decimal(wire(n, metrics.get(n, 0))) if n in DECIMAL_METRICS else metrics.get(n, 0)
            for n in names
        }

    def daily(self, pivot: str) -> dict[tuple[int, date], dict[str, Number]]:
        """(campaign id or creative id, day) -> every metric, for pivot CAMPAIGN or CREATIVE."""
        if ("daily", pivot) not in self._cache:
            w = self._world
            rows = entity_rows(w, [pivot], "DAILY", w.first_day, w.cfg.today, sorted(w.creatives))
            self._cache["daily", pivot] = {
                (int(values[0].rsplit(":", 1)[1]), lo): self._full(m, list(METRICS))
                for (values, lo, _), m in rows.items()
                if any(v != 0 for v in m.values())
            }
        return self._cache["daily", pivot]

    def monthly(self, pivot: str) -> dict[tuple[int, date, str], dict[str, Number]]:
        """(campaign id, month start, pivot value) -> metrics, for whole calendar months."""
        if ("monthly", pivot) not in self._cache:
            w, out = self._world, {}
            names = [m for m in METRICS if m not in NON_DEMOGRAPHIC]
            month = w.first_day.replace(day=1)
            while month <= w.cfg.today:
                nxt = (month + timedelta(days=32)).replace(day=1)
                for camp in w.campaigns.values():
                    rows = member_rows(
                        w, pivot, "MONTHLY", month, nxt - timedelta(days=1), camp.creative_ids
                    )
                    for (values, lo, _), m in rows.items():
                        out[camp.id, lo, values[0]] = self._full(m, names)
                month = nxt
            self._cache["monthly", pivot] = out
        return self._cache["monthly", pivot]
