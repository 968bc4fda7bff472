"""The bench's arithmetic: request lower bounds, the sync-time floor, a per-campaign plan, ratios,
and which warehouses a run measures.

Pure functions over plain numbers and entity records, so that tests can check them by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

ROW_CAP = 15_000  # adAnalytics truncates a response at this many elements
METRICS_PER_REQUEST = 18  # 20 fields, dateRange and pivotValues included
PER_CAMPAIGN_WINDOW_DAYS = 30  # the date slice of the per-campaign connectors' daily requests


def chunks(metrics: int) -> int:
    """Requests one window costs: one per chunk of 18 metrics."""
    return math.ceil(metrics / METRICS_PER_REQUEST)


def daily_lower_bound(rows_per_account: Iterable[int], metrics: int) -> int:
    """Fewest requests for a daily table: per account, ceil(rows / 15,000) x ceil(metrics / 18)."""
    return sum(math.ceil(rows / ROW_CAP) * chunks(metrics) for rows in rows_per_account)


def demographic_lower_bound(delivering_campaigns: int, metrics: int) -> int:
    """Fewest requests for a demographic table: one per campaign that delivered in the range (a
    campaign's monthly rows never reach the cap), times its metric chunks."""
    return delivering_campaigns * chunks(metrics)


def floor_seconds(requests: int, latency_ms: float, concurrency: int) -> float:
    """The sync can not finish faster than its requests take when `concurrency` run at once."""
    return requests * latency_ms / 1000 / concurrency


def ratio(ours: float, theirs: float) -> float | None:
    """ours / theirs, None when theirs is 0."""
    return ours / theirs if theirs else None


def day_windows(start: date, end: date, days: int) -> int:
    """How many windows of `days` days cover start..end (inclusive)."""
    return max(0, math.ceil(((end - start).days + 1) / days))


def month_windows(start: date, end: date) -> int:
    """How many calendar months start..end (inclusive) touches."""
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True)
class Table:
    """An adAnalytics table as a plan sees it: daily or monthly, and how many metrics."""

    name: str
    monthly: bool
    metrics: int

    @classmethod
    def named(cls, name: str, metrics: int) -> Table:
        """A bronze analytics table by its name: the demographic (member) tables are monthly."""
        return cls(name, "member" in name, metrics)


def lower_bound(
    table: Table,
    rows_per_account: Iterable[int],
    delivery: Mapping[int, Iterable[int]],
    start: date,
    end: date,
) -> int:
    """Fewest requests for `table` from `start` to `end`: a daily table from its rows per account,
    a demographic table from the campaigns that delivered (campaign id -> day ordinals) since the
    first month's start."""
    if table.monthly:
        campaigns = delivering_campaigns(delivery, start.replace(day=1), end)
        return demographic_lower_bound(campaigns, table.metrics)
    return daily_lower_bound(rows_per_account, table.metrics)


def per_campaign_plan(
    campaigns: int, tables: Sequence[Table], start: date, end: date
) -> dict[str, int]:
    """Requests of the connectors' plan, per table: one request per campaign, window (30 days
    for daily tables, a month for monthly ones) and chunk of 18 metrics, for every campaign."""
    plan = {}
    for table in tables:
        windows = (
            month_windows(start, end)
            if table.monthly
            else day_windows(start, end, PER_CAMPAIGN_WINDOW_DAYS)
        )
        plan[table.name] = campaigns * windows * chunks(table.metrics)
    return plan


def delivering_campaigns(daily_rows: Mapping[int, Iterable[int]], start: date, end: date) -> int:
    """Campaigns with at least one daily row between start and end, from campaign id -> the day
    ordinals it delivered on."""
    first, last = start.toordinal(), end.toordinal()
    return sum(
        1 for ordinals in daily_rows.values() if any(first <= day <= last for day in ordinals)
    )


def targets(postgres: bool, spark: bool) -> list[str]:
    """The warehouses a bench run measures, in order: DuckDB always (it alone measures the sync),
    then Postgres and Spark when asked for (and reachable)."""
    return ["duckdb"] + (["postgres"] if postgres else []) + (["spark"] if spark else [])


@dataclass(frozen=True)
class Timings:
    """Seconds one warehouse took in a bench run: bronze loaded (from the last API response, so
    independent of the simulated latency), dbt's full build and its incremental build."""

    bronze: float
    full: float
    incremental: float


def against(ours: Timings, base: Timings) -> dict[str, float | None]:
    """Each of our timings over the base warehouse's from the same run (None where it took 0)."""
    return {
        "bronze load": ratio(ours.bronze, base.bronze),
        "dbt full build": ratio(ours.full, base.full),
        "incremental build": ratio(ours.incremental, base.incremental),
    }
