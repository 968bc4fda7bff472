"""adAnalytics rows: aggregate the creative facts a request selects into response elements."""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from . import analytics_knobs, breakdowns
from .analytics_request import AnalyticsRequest
from .contract import ENTITY_PIVOT_ONLY_METRICS, RANGE_LIMITED_METRICS
from .data import Advertiser, CreativeRef
from .demographics import Demographics

# The sandbox models reach (members reached) as a share of impressions instead of summing it.
REACH = "approximateMemberReach"
REACH_SOURCE = "impressions"
# The pivot whose value is a facet's URN, for the index of creatives by facet.
_FACET_PIVOT = {"accounts": "ACCOUNT", "campaigns": "CAMPAIGN"}
# No metric requested: a row is kept or suppressed on these.
DECISIVE_DEFAULTS = ("impressions", "clicks")

Buckets = dict[tuple[tuple[str, ...], tuple[int, int]], list[int]]


def _pivot_value(pivot: str, ref: CreativeRef) -> str:
    if pivot == "CREATIVE":
        return ref.urn
    if pivot == "CAMPAIGN":
        return f"urn:li:sponsoredCampaign:{ref.campaign_id}"
    if pivot == "CAMPAIGN_GROUP":
        return f"urn:li:sponsoredCampaignGroup:{ref.group_id}"
    return f"urn:li:sponsoredAccount:{ref.account_id}"


def select_creatives(
    adv: Advertiser,
    request: AnalyticsRequest,
    forbidden: frozenset[int],
    candidates: Iterable[CreativeRef] | None = None,
) -> list[CreativeRef]:
    """Creatives matching every facet (AND), outside forbidden accounts; among `candidates`
    (every creative when None)."""
    pool = adv.refs.values() if candidates is None else candidates
    refs = [r for r in pool if r.account_id not in forbidden]
    orgs = {a["id"]: a["reference"] for a in adv.accounts}
    for name, values in request.facets.items():
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
    if request.campaign_type:
        refs = [r for r in refs if r.campaign_type == request.campaign_type]
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


def _reach(impressions: int) -> int:
    return impressions * 3 // 5


def _date_json(ordinal: int) -> dict[str, int]:
    day = date.fromordinal(ordinal)
    return {"year": day.year, "month": day.month, "day": day.day}


class AnalyticsEngine:
    """Computes adAnalytics responses from an Advertiser."""

    def __init__(self, adv: Advertiser) -> None:
        self.adv = adv
        self.demographics = Demographics(adv.seed)
        self._gaps: dict[int, frozenset[str]] = {}
        # Indexes, so that a request costs what it selects: creatives by account and campaign
        # URN (in URN order), and each creative's fact days in order (restatements replace a
        # day's metrics, never add a day, so the days stay as generated).
        self._by_facet: dict[str, dict[str, list[CreativeRef]]] = {f: {} for f in _FACET_PIVOT}
        for ref in adv.refs.values():
            for facet, pivot in _FACET_PIVOT.items():
                self._by_facet[facet].setdefault(_pivot_value(pivot, ref), []).append(ref)
        self._days = {urn: sorted(facts) for urn, facts in adv.facts.items()}

    def _candidates(self, request: AnalyticsRequest) -> list[CreativeRef] | None:
        """The creatives of the request's campaigns or accounts facet, from the index (None
        without either facet)."""
        for facet in ("campaigns", "accounts"):
            if facet in request.facets:
                index = self._by_facet[facet]
                refs = [ref for urn in set(request.facets[facet]) for ref in index.get(urn, ())]
                return sorted(refs, key=lambda ref: ref.urn)
        return None

    def gapped(self, count: int) -> frozenset[str]:
        """The creatives the creative-level reports leave out (knob creative_gaps)."""
        if count not in self._gaps:
            self._gaps[count] = analytics_knobs.gapped_creatives(self.adv, count)
        return self._gaps[count]

    def rows(
        self,
        request: AnalyticsRequest,
        *,
        forbidden: frozenset[int],
        row_cap: int,
        noise: float,
        extra_fields: bool,
        money_tails: bool = False,
        creative_gaps: int = 0,
    ) -> list[dict[str, Any]]:
        """The response elements: suppressed zero rows, stable order, truncated at row_cap.

        `money_tails` and `creative_gaps`: see analytics_knobs (entity pivots only; demographic
        money stays approximate)."""
        adv = self.adv
        lo = max(request.start.toordinal(), adv.first_ordinal)
        end = request.end.toordinal() if request.end else adv.last_ordinal
        hi = min(end, adv.last_ordinal)
        days = end - request.start.toordinal() + 1
        served = [
            m
            for m in request.metrics
            if not (request.member and m in ENTITY_PIVOT_ONLY_METRICS)
            and days <= RANGE_LIMITED_METRICS.get(m, days)
            and breakdowns.served(request.pivots, m)
        ]
        decisive = served or list(DECISIVE_DEFAULTS)
        sort = [request.sort[0]] if request.sort else []
        needed = [n for n in dict.fromkeys([*served, *decisive, *sort]) if n != REACH]
        if REACH in served and REACH_SOURCE not in needed:
            needed.append(REACH_SOURCE)
        if lo > hi:
            return []
        if request.member:
            hi = min(hi, adv.last_ordinal - 1)  # demographics lag a day
        creatives = select_creatives(adv, request, forbidden, self._candidates(request))
        breakdown = bool(breakdowns.BREAKDOWN_PIVOTS.intersection(request.pivots))
        tails = money_tails and not request.member and not breakdown
        if "CREATIVE" in request.pivots and not request.member:
            gapped = self.gapped(creative_gaps)
            creatives = [ref for ref in creatives if ref.urn not in gapped]
        period_of = {o: _period_bounds(request.granularity, o, lo, hi) for o in range(lo, hi + 1)}
        if request.member:
            buckets = self._member_buckets(request, creatives, period_of, needed, noise)
        elif breakdown:
            buckets = self._breakdown_buckets(request, creatives, period_of, needed)
        else:
            buckets = self._entity_buckets(request, creatives, period_of, needed, tails)
        index = {name: i for i, name in enumerate(needed)}
        if REACH in served:
            index[REACH] = index[REACH_SOURCE]
        decisive_idx = [index[n] for n in decisive]
        keys = sorted(k for k, v in buckets.items() if any(v[i] for i in decisive_idx))
        if request.sort:
            position = index[request.sort[0]]
            keys.sort(key=lambda k: buckets[k][position], reverse=request.sort[1])
        out: list[dict[str, Any]] = []
        want_range = "dateRange" in request.fields
        want_pivots = "pivotValues" in request.fields
        for key in keys[:row_cap]:
            values = buckets[key]
            row: dict[str, Any] = {}
            for name in served:
                value = values[index[name]]
                row[name] = (
                    _reach(value)
                    if name == REACH
                    else analytics_knobs.wire_value(name, value, tails)
                )
            if want_pivots:
                row["pivotValues"] = list(key[0])
            if want_range:
                row["dateRange"] = {"start": _date_json(key[1][0]), "end": _date_json(key[1][1])}
            if extra_fields:
                row["sponsoredDriftMetric"] = 0
            out.append(row)
        return out

    def _facts_by_period(
        self,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        tails: bool = False,
    ) -> Iterator[tuple[CreativeRef, tuple[int, int], Mapping[str, int]]]:
        """(creative, period, that day's metrics as served) for every day of delivery in the
        days of `period_of` (consecutive)."""
        if not period_of:
            return
        lo, hi = min(period_of), max(period_of)
        for ref in creatives:
            facts = self.adv.facts.get(ref.urn, {})
            days = self._days.get(ref.urn, [])
            for ordinal in days[bisect_left(days, lo) : bisect_right(days, hi)]:
                period, metrics = period_of[ordinal], facts[ordinal]
                if tails:
                    metrics = analytics_knobs.with_tails(ref.urn, ordinal, metrics)
                yield ref, period, metrics

    def _entity_buckets(
        self,
        request: AnalyticsRequest,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        needed: list[str],
        tails: bool,
    ) -> Buckets:
        buckets: Buckets = {}
        width = len(needed)
        pairs = list(enumerate(needed))
        for ref, period, metrics in self._facts_by_period(creatives, period_of, tails):
            key = (tuple(_pivot_value(p, ref) for p in request.pivots), period)
            acc = buckets.get(key)
            if acc is None:
                acc = buckets[key] = [0] * width
            for i, name in pairs:
                value = metrics.get(name)
                if value:
                    acc[i] += value
        return buckets

    def _breakdown_buckets(
        self,
        request: AnalyticsRequest,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        needed: list[str],
    ) -> Buckets:
        """Entity buckets with the CONVERSION or IMPRESSION_DEVICE_TYPE split (breakdowns.py)."""
        buckets: Buckets = {}
        width = len(needed)
        pairs = list(enumerate(needed))
        for ref in creatives:
            for ordinal, metrics in self.adv.facts.get(ref.urn, {}).items():
                period = period_of.get(ordinal)
                if period is None:
                    continue
                for values, part in breakdowns.parts(
                    self.adv, request.pivots, ref, ordinal, metrics
                ):
                    pivot_values = tuple(
                        values[p] if p in values else _pivot_value(p, ref) for p in request.pivots
                    )
                    acc = buckets.setdefault((pivot_values, period), [0] * width)
                    for i, name in pairs:
                        value = part.get(name)
                        if value:
                            acc[i] += value
        return buckets

    def _member_buckets(
        self,
        request: AnalyticsRequest,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        needed: list[str],
        noise: float,
    ) -> Buckets:
        pivot = request.pivots[0]
        names = list(dict.fromkeys(["impressions", *needed]))
        per_campaign: dict[tuple[int, tuple[int, int]], dict[str, int]] = {}
        for ref, period, metrics in self._facts_by_period(creatives, period_of):
            totals = per_campaign.setdefault((ref.campaign_id, period), {})
            for name in names:
                value = metrics.get(name)
                if value:
                    totals[name] = totals.get(name, 0) + value
        buckets: Buckets = {}
        width = len(needed)
        for (campaign_id, period), totals in sorted(per_campaign.items()):
            parts = self.demographics.split(pivot, campaign_id, period[0], totals, names, noise)
            for value, metrics in parts:
                acc = buckets.setdefault(((value,), period), [0] * width)
                for i, name in enumerate(needed):
                    acc[i] += metrics.get(name, 0)
        return buckets
