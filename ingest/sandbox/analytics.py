"""adAnalytics rows: aggregate the creative facts a request selects into response elements."""

from __future__ import annotations

import calendar
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, Generic, TypeVar

from . import analytics_knobs, breakdowns
from .analytics_request import AnalyticsRequest
from .contract import DECIMAL_METRICS, ENTITY_PIVOT_ONLY_METRICS, RANGE_LIMITED_METRICS
from .data import Advertiser, CreativeRef
from .demographics import Demographics

# The sandbox models reach (members reached) as a share of impressions instead of summing it.
REACH = "approximateMemberReach"
REACH_SOURCE = "impressions"
# The pivot whose value is a facet's URN, for the index of creatives by facet.
_FACET_PIVOT = {"accounts": "ACCOUNT", "campaigns": "CAMPAIGN"}
# No metric requested: a row is kept or suppressed on these.
DECISIVE_DEFAULTS = ("impressions", "clicks")

# Windows whose buckets are kept: a client asks for one window chunk by chunk (at most 18
# metrics per request), a few windows at a time, so a handful covers its concurrent requests.
WINDOW_CACHE_SIZE = 8
# Campaign-period totals under member pivots: a client asks each campaign's window once per
# member pivot (8), and may read a pivot for every account before the next pivot, so this one
# spans a whole table's windows at the bench's largest size (about 1,000 campaigns): a smaller
# one evicts each window before the next pivot asks for it again, and every member request
# then sums its creatives' days anew (4x its cost). Its entries are small (one total per metric
# per campaign and month: tens of MB when full).
CAMPAIGN_CACHE_SIZE = 4096

BucketKey = tuple[tuple[str, ...], tuple[int, int]]
# (pivot values, period) -> every metric's total; a window is its buckets in key order.
Buckets = dict[BucketKey, dict[str, int]]
Window = list[tuple[BucketKey, dict[str, int]]]
CampaignTotals = dict[tuple[int, tuple[int, int]], dict[str, int]]
T = TypeVar("T")


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


@lru_cache(maxsize=4096)
def _ymd(ordinal: int) -> tuple[int, int, int]:
    day = date.fromordinal(ordinal)
    return day.year, day.month, day.day


def _date_json(ordinal: int) -> dict[str, int]:
    year, month, day = _ymd(ordinal)
    return {"year": year, "month": month, "day": day}


def _wire(name: str, values: Mapping[str, int], tails: bool) -> int | str:
    """A bucket's reach or decimal metric as a response element carries it."""
    if name == REACH:
        return _reach(values.get(REACH_SOURCE, 0))
    value = values.get(name)
    return analytics_knobs.wire_value(name, value, tails) if value else "0"


def _add(totals: dict[str, int], metrics: Mapping[str, int]) -> None:
    for name, value in metrics.items():
        if value:
            totals[name] = totals.get(name, 0) + value


class ComputeOnce(Generic[T]):
    """The last `size` values computed, each computed once: concurrent requests for a value
    being computed wait for it instead of computing it again (under the GIL that would only
    make them all slower). Keys carry everything a value depends on, the facts' revision
    included, so an entry is never stale, only unused until evicted."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, _Entry[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry[T]()
                if len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(key)
        with entry.lock:
            if entry.value is None:
                entry.value = compute()
            return entry.value


class _Entry(Generic[T]):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: T | None = None


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
        self._windows: ComputeOnce[Window] = ComputeOnce(WINDOW_CACHE_SIZE)
        self._campaign_totals: ComputeOnce[CampaignTotals] = ComputeOnce(CAMPAIGN_CACHE_SIZE)

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
        money stays approximate). The window's buckets hold every metric and are cached, so the
        other metric chunks of the same window cost only the rows they return."""
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
        if lo > hi:
            return []
        if request.member:
            hi = min(hi, adv.last_ordinal - 1)  # demographics lag a day
        breakdown = bool(breakdowns.BREAKDOWN_PIVOTS.intersection(request.pivots))
        tails = money_tails and not request.member and not breakdown
        gaps = creative_gaps if "CREATIVE" in request.pivots and not request.member else 0
        key = (
            request.pivots, request.granularity, lo, hi, tuple(request.facets.items()),
            request.campaign_type, forbidden, tails, gaps, noise if request.member else 0.0,
            adv.revision,
        )  # fmt: skip
        window = self._windows.get(
            key, lambda: self._window(request, lo, hi, forbidden, tails, gaps, noise)
        )
        decisive_names = {REACH_SOURCE if n == REACH else n for n in decisive}
        kept = [(k, v) for k, v in window if not decisive_names.isdisjoint(v)]
        if request.sort:
            sort_name = request.sort[0]
            kept.sort(key=lambda item: item[1].get(sort_name, 0), reverse=request.sort[1])
        out: list[dict[str, Any]] = []
        want_range = "dateRange" in request.fields
        want_pivots = "pivotValues" in request.fields
        # integers are served as summed; the rest (reach, decimal strings) go through _wire,
        # in place, so the row keeps the served order (every value first, in one C-level pass)
        zeros = [0] * len(served)
        wired = [name for name in served if name in DECIMAL_METRICS or name == REACH]
        for (pivot_values, period), values in kept[:row_cap]:
            row: dict[str, Any] = dict(zip(served, map(values.get, served, zeros), strict=True))
            for name in wired:
                row[name] = _wire(name, values, tails)
            if want_pivots:
                row["pivotValues"] = list(pivot_values)
            if want_range:
                row["dateRange"] = {"start": _date_json(period[0]), "end": _date_json(period[1])}
            if extra_fields:
                row["sponsoredDriftMetric"] = 0
            out.append(row)
        return out

    def _window(
        self,
        request: AnalyticsRequest,
        lo: int,
        hi: int,
        forbidden: frozenset[int],
        tails: bool,
        gaps: int,
        noise: float,
    ) -> Window:
        """Every metric's buckets of the request's window (pivots, facets, granularity, dates),
        in key order: what all the metric chunks of that window share."""
        creatives = select_creatives(self.adv, request, forbidden, self._candidates(request))
        if gaps:
            gapped = self.gapped(gaps)
            creatives = [ref for ref in creatives if ref.urn not in gapped]
        period_of = {o: _period_bounds(request.granularity, o, lo, hi) for o in range(lo, hi + 1)}
        if request.member:
            buckets = self._member_buckets(request, forbidden, creatives, period_of, noise)
        elif breakdowns.BREAKDOWN_PIVOTS.intersection(request.pivots):
            buckets = self._breakdown_buckets(request, creatives, period_of)
        else:
            buckets = self._entity_buckets(request, creatives, period_of, tails)
        # without its zero totals a bucket holds exactly the metrics that make it a row
        window = [
            (key, totals if 0 not in totals.values() else {n: v for n, v in totals.items() if v})
            for key, totals in buckets.items()
        ]
        return sorted(window, key=lambda item: item[0])

    def _facts_by_period(
        self,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        tails: bool = False,
    ) -> Iterator[tuple[CreativeRef, int, tuple[int, int], dict[str, int]]]:
        """(creative, day, period, that day's metrics as served) for every day of delivery in
        the days of `period_of` (consecutive): the window's days only, found by bisection."""
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
                yield ref, ordinal, period, metrics

    def _entity_buckets(
        self,
        request: AnalyticsRequest,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        tails: bool,
    ) -> Buckets:
        buckets: Buckets = {}
        summed: set[BucketKey] = set()  # buckets that own their totals
        pivot_values: dict[str, tuple[str, ...]] = {}
        for ref, _, period, metrics in self._facts_by_period(creatives, period_of, tails):
            values = pivot_values.get(ref.urn)
            if values is None:
                values = pivot_values[ref.urn] = tuple(_pivot_value(p, ref) for p in request.pivots)
            key = (values, period)
            acc = buckets.get(key)
            if acc is None:  # one fact so far: its own metrics, read only (a creative-day row)
                buckets[key] = metrics
                continue
            if key not in summed:  # a second fact: the bucket's own copy to sum into
                acc = buckets[key] = dict(acc)
                summed.add(key)
            _add(acc, metrics)
        return buckets

    def _breakdown_buckets(
        self,
        request: AnalyticsRequest,
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
    ) -> Buckets:
        """Entity buckets with the CONVERSION or IMPRESSION_DEVICE_TYPE split (breakdowns.py)."""
        buckets: Buckets = {}
        for ref, ordinal, period, metrics in self._facts_by_period(creatives, period_of):
            for values, part in breakdowns.parts(self.adv, request.pivots, ref, ordinal, metrics):
                pivot_values = tuple(
                    values[p] if p in values else _pivot_value(p, ref) for p in request.pivots
                )
                _add(buckets.setdefault((pivot_values, period), {}), part)
        return buckets

    def _per_campaign(
        self, creatives: list[CreativeRef], period_of: dict[int, tuple[int, int]]
    ) -> CampaignTotals:
        """Every metric's total per (campaign, period)."""
        totals: CampaignTotals = {}
        for ref, _, period, metrics in self._facts_by_period(creatives, period_of):
            _add(totals.setdefault((ref.campaign_id, period), {}), metrics)
        return totals

    def _member_buckets(
        self,
        request: AnalyticsRequest,
        forbidden: frozenset[int],
        creatives: list[CreativeRef],
        period_of: dict[int, tuple[int, int]],
        noise: float,
    ) -> Buckets:
        """Each campaign-period's totals split over the pivot's values (demographics.py); the
        split of one metric does not depend on the others, so splitting every metric serves
        any chunk of them."""
        pivot = request.pivots[0]
        # what the campaign totals depend on: not the member pivot, nor the noise
        key = (
            request.granularity, min(period_of, default=0), max(period_of, default=0),
            tuple(request.facets.items()), request.campaign_type, forbidden, self.adv.revision,
        )  # fmt: skip
        per_campaign = self._campaign_totals.get(
            key, lambda: self._per_campaign(creatives, period_of)
        )
        buckets: Buckets = {}
        for (campaign_id, period), totals in sorted(per_campaign.items()):
            names = list(dict.fromkeys(["impressions", *totals]))
            parts = self.demographics.split(pivot, campaign_id, period[0], totals, names, noise)
            for value, metrics in parts:
                _add(buckets.setdefault(((value,), period), {}), metrics)
        return buckets
