"""Conversion rules, and two statistics-finder tables: conversions by rule, delivery by device.

`conversions` (q=account, offset paging) lists an account's conversion rules. The two daily
tables use adAnalytics' `q=statistics` finder, which groups by up to three pivots:

* `ad_analytics_by_conversion`: `pivots=List(CREATIVE,CONVERSION)`, the finest grain LinkedIn
  splits conversions by rule at, with the conversion metrics only (post-click and post-view apart).
* `ad_analytics_by_device`: `pivots=List(CAMPAIGN,IMPRESSION_DEVICE_TYPE)`, as Airbyte reads it in
  production, with the delivery and engagement metrics of gold: LinkedIn serves no reach and no
  conversion metrics for this pivot, so they are not asked for.

Both fit one request per window (at most 18 metrics) and are planned like the daily creative
and campaign tables; each row keeps both pivot values (`pivot_value`, `breakdown_value`). An API
that refuses a table (no scope for it: 403; an older version without the pivot: 400) leaves the
table empty with one warning that says why, and its state unmoved, so a later run backfills it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingest.linkedin_ads import planning, restli, schema, settings
from ingest.linkedin_ads.analytics import AnalyticsFetch, Window, finder_params
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.entities import EntityCache
from ingest.linkedin_ads.errors import NOT_SERVED, DailyQuotaExceededError
from ingest.linkedin_ads.planning import Task
from ingest.linkedin_ads.reader import AnalyticsReader
from ingest.linkedin_ads.settings import Metric
from ingest.linkedin_ads.stats import SyncStats

__all__ = [
    "BREAKDOWNS",
    "Breakdown",
    "ConversionRules",
    "StatisticsReader",
    "breakdown_columns",
]

logger = logging.getLogger("ingest.linkedin_ads")

CONVERSIONS_PAGE_SIZE = 500  # the conversions finder pages by offset (start, count)
# The conversion metrics, split by rule (post-click and post-view apart).
CONVERSION_METRICS = (
    "externalWebsiteConversions", "externalWebsitePostClickConversions",
    "externalWebsitePostViewConversions", "conversionValueInLocalCurrency",
)  # fmt: skip
# Joins the two pivot values of a row into the one key the chunk parser reads (neither a URN
# nor a device enum holds a control character).
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Breakdown:
    """One statistics table: its two pivots, its metrics and its expected rows per entity-day."""

    table: str
    pivots: tuple[str, str]
    metrics: tuple[Metric, ...]
    values_per_entity: int  # rows one delivering entity (creative, campaign) may have per day
    converted_only: bool = False  # rows only on entity-days that converted (planning.plan_tasks)


BREAKDOWNS = (
    Breakdown(
        "ad_analytics_by_conversion",
        ("CREATIVE", "CONVERSION"),
        tuple(settings.METRICS_BY_NAME[name] for name in CONVERSION_METRICS),
        # Only a creative-day that converted has rows, and few have more than one: one row per
        # converting creative-day is the estimate (at most the campaign's conversions that day),
        # and a window that still reaches the cap is split and read again.
        1,
        converted_only=True,
    ),
    Breakdown(
        "ad_analytics_by_device",
        ("CAMPAIGN", "IMPRESSION_DEVICE_TYPE"),
        tuple(
            settings.METRICS_BY_NAME[metric.api_metric]
            for metric in settings.GOLD_METRICS.values()
            if metric.device_pivot  # LinkedIn serves no conversion metrics for devices
        ),
        5,  # DESKTOP_WEB, MOBILE_WEB, MOBILE_APP, UNDETECTED and the empty value seen in real data
    ),
)


def breakdown_columns(metrics: Sequence[Metric]) -> dict[str, dict[str, Any]]:
    """Column hints of a statistics table: both pivot values, the date range and the metrics."""
    columns = schema.analytics_columns(metrics, by_campaign=False)
    keys = {name: columns.pop(name) for name in ("pivot_value",)}
    return {**keys, "breakdown_value": {"data_type": "text", "nullable": False}, **columns}


def refusal(table: str, error: Exception) -> str:
    """The one summary line of a table the API does not serve."""
    return f"{table}: not loaded, the API does not serve it to this token and version ({error})"


class ConversionRules:
    """Per-account conversion rules, read once (conversions finder) and shared by the
    `conversions` table and the by-rule reader's planning."""

    table = "conversions"

    def __init__(self, client: LinkedInClient, entities: EntityCache, stats: SyncStats) -> None:
        self._client = client
        self._entities = entities
        self._stats = stats
        self._cache: dict[int, list[dict[str, Any]] | None] = {}
        self._lock = threading.Lock()
        self.refused: str | None = None

    def get(self, account_id: int) -> list[dict[str, Any]] | None:
        """The account's rules; None when the API refused them or the run stopped."""
        with self._lock:
            if account_id not in self._cache:
                self._cache[account_id] = self._fetch(account_id)
            return self._cache[account_id]

    def _fetch(self, account_id: int) -> list[dict[str, Any]] | None:
        if self.refused or self._stats.stopped_by:
            return None
        # An account the token cannot read is skipped by the entity tables: a 403 here then
        # means the token lacks conversion tracking, not this account.
        if self._entities.get("campaigns", account_id) is None:
            return None
        rules: list[dict[str, Any]] = []
        start = 0
        try:
            while True:
                page = self._client.get(
                    "conversions",
                    [
                        ("q", "account"),
                        ("account", restli.urn("sponsoredAccount", account_id)),
                        ("start", start),
                        ("count", CONVERSIONS_PAGE_SIZE),
                    ],
                )
                elements = page.get("elements") or []
                rules.extend(elements)
                total = (page.get("paging") or {}).get("total")
                start += len(elements)
                # Offset paging: done on an empty page, or when the total is reached.
                if not elements or (isinstance(total, int) and start >= total):
                    return rules
        except NOT_SERVED as error:
            self.refused = refusal(self.table, error)
            self._stats.warn(self.refused)
        except DailyQuotaExceededError as error:
            self._stats.stop(error)
        return None


def joined_pivot_values(pivot_values: pa.ChunkedArray) -> pa.ChunkedArray:
    """The row key of a `q=statistics` element: its two pivot values, joined."""
    joined = pc.binary_join(pivot_values, _SEPARATOR)
    two = pc.and_(pc.equal(pc.list_value_length(pivot_values), 2), pc.is_valid(joined))
    two = pc.fill_null(two, False)
    if not pc.all(two, min_count=0).as_py():
        values = pivot_values.filter(pc.invert(two))[0].as_py()
        raise ValueError(f"adAnalytics statistics row without two pivotValues: {values!r}")
    return joined


class _StatisticsFetch(AnalyticsFetch):
    """AnalyticsFetch over `q=statistics` with two pivots: each row's pivot values are joined
    into one key for the chunk parser and split again by the reader."""

    def __init__(self, *args: Any, pivots: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, pivot=pivots[1], **kwargs)
        self._pivots = pivots

    _pivot_key = staticmethod(joined_pivot_values)

    def _params(self, window: Window, chunk: tuple[Metric, ...]) -> list[tuple[str, Any]]:
        return statistics_params(
            pivots=self._pivots,
            window=window,
            facet_name=self._facet_name,
            facet_urns=self._facet_urns,
            metrics=chunk,
        )


def statistics_params(
    *,
    pivots: Sequence[str],
    window: Window,
    facet_name: str,
    facet_urns: Sequence[str],
    metrics: Sequence[Metric],
) -> list[tuple[str, Any]]:
    """Query parameters of one `q=statistics` DAILY request, in wire order."""
    return finder_params(
        [("q", "statistics"), ("pivots", list(pivots))],
        granularity="DAILY",
        window=window,
        facet_name=facet_name,
        facet_urns=facet_urns,
        metrics=metrics,
    )


def split_pivot_values(rows: pa.Table) -> pa.Table:
    """The joined key back into `pivot_value` (first pivot) and `breakdown_value` (second)."""
    parts = pc.split_pattern(rows["pivot_value"], _SEPARATOR, max_splits=1)
    first = pc.list_element(parts, 0)
    second = pc.list_element(parts, 1)
    rows = rows.set_column(0, pa.field("pivot_value", pa.string(), nullable=False), first)
    field = pa.field("breakdown_value", pa.string(), nullable=False)
    return rows.add_column(1, field, second)


class StatisticsReader(AnalyticsReader):
    """AnalyticsReader for one Breakdown: the same planning, concurrency and state, with the
    statistics finder; a refusal by the API ends the table with one warning."""

    def __init__(
        self, breakdown: Breakdown, *, rules: ConversionRules | None = None, **kwargs: Any
    ) -> None:
        super().__init__(
            table=breakdown.table,
            pivot=breakdown.pivots[1],
            granularity="DAILY",
            metrics=breakdown.metrics,
            **kwargs,
        )
        self.breakdown = breakdown
        self.rules = rules
        self.refused: str | None = None
        self._refusal = threading.Lock()
        # Per account and campaign, the rows and the days with rows read so far (a table read
        # per campaign-day only): how many devices a campaign serves on barely changes.
        self._seen: dict[int, dict[str, tuple[int, int]]] = {}
        self._seen_lock = threading.Lock()  # tasks finish on the pool's threads

    def _plan(self, account_id: int, start: date, share: float | None = None) -> list[Task] | None:
        if self.refused:
            return None
        campaigns = self.entities.get("campaigns", account_id)
        if campaigns is None or start > self.options.today:
            return []
        creatives = None
        if self.breakdown.pivots[0] == "CREATIVE":
            creatives = self.entities.get("creatives", account_id)
            if creatives is None:
                return []
        if self.rules is not None:
            rules = self.rules.get(account_id)
            if self.rules.refused:  # no conversion tracking for this token: nothing to split
                self._refuse(self.rules.refused.replace(self.rules.table, self.table, 1))
                return None
            if rules is None:  # the run stopped before the rules were read
                return None
            if not rules:
                return []
        measured, average = self._measured(account_id)
        return planning.plan_tasks(
            account_id=account_id,
            granularity="DAILY",
            campaigns=campaigns,
            creatives=creatives,
            start=start,
            options=self.options,
            delivery=self.deliveries.get(account_id),
            # Measured rows per campaign-day are the rows themselves, not an upper bound: the
            # next windows expect them at face value (a share of 1), below MEASURED_FILL.
            # A campaign not seen yet expects the average of those seen.
            share=1.0 if measured else share,
            rows_per_entity=average or self.breakdown.values_per_entity,
            converted_only=self.breakdown.converted_only,
            measured=measured,
        )

    def _measured(self, account_id: int) -> tuple[dict[str, float], float | None]:
        """Campaign URN -> the rows per day with rows it returned so far, and the same over
        every campaign (None before any row)."""
        with self._seen_lock:
            seen = dict(self._seen.get(account_id, {}))
        days = sum(days for _, days in seen.values())
        average = sum(rows for rows, _ in seen.values()) / days if days else None
        return {urn: rows / days for urn, (rows, days) in seen.items()}, average

    def _measure(self, account_id: int, rows: pa.Table) -> None:
        """Count each campaign's rows and days with rows (a table read per campaign-day)."""
        if self.breakdown.pivots[0] != "CAMPAIGN" or not rows.num_rows:
            return
        counts = rows.group_by("pivot_value").aggregate(
            [("start_date", "count"), ("start_date", "count_distinct")]
        )
        with self._seen_lock:
            seen = self._seen.setdefault(account_id, {})
            for urn, count, days in zip(
                counts["pivot_value"].to_pylist(),
                counts["start_date_count"].to_pylist(),
                counts["start_date_count_distinct"].to_pylist(),
                strict=True,
            ):
                before = seen.get(urn, (0, 0))
                seen[urn] = (before[0] + count, before[1] + days)

    def _refuse(self, message: str) -> None:
        with self._refusal:
            if self.refused is None:
                self.refused = message
                self.stats.warn(message)

    def _fetch(self, task: Task) -> AnalyticsFetch:
        return _StatisticsFetch(
            self.client, pivots=self.breakdown.pivots, **self._fetch_options(task)
        )

    def _shape(self, task: Task, rows: pa.Table) -> pa.Table:
        rows = split_pivot_values(rows)
        self._measure(task.account_id, rows)
        return rows

    def _run(self, task: Task) -> pa.Table | None:
        if self.refused:
            return None
        try:
            return super()._run(task)
        except NOT_SERVED as error:
            self._refuse(refusal(self.table, error))
            return None


def conversion_rows(rules: ConversionRules, accounts: Sequence[int]) -> Iterator[list[dict]]:
    """The conversion rules of every account, one list per account."""
    total = 0
    for account_id in accounts:
        if records := rules.get(account_id):
            total += len(records)
            yield records
    logger.info("conversions: %s rows", f"{total:,}")
