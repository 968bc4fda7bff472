"""The bench's arithmetic, by hand: lower bounds, the floor, the per-campaign plan, ratios."""

from __future__ import annotations

from datetime import date

import pytest

from bench import arithmetic
from bench.arithmetic import Table


def test_daily_lower_bound_counts_row_windows_times_metric_chunks_per_account() -> None:
    # 98 metrics: 6 chunks; 15,000 rows fit one window, 15,001 need two; an empty account: none
    assert arithmetic.daily_lower_bound([15_000, 15_001, 0], 98) == 6 + 12
    assert arithmetic.daily_lower_bound([1], 18) == 1
    assert arithmetic.daily_lower_bound([1], 19) == 2


def test_demographic_lower_bound_is_one_request_per_delivering_campaign_and_chunk() -> None:
    assert arithmetic.demographic_lower_bound(46, 16) == 46
    assert arithmetic.demographic_lower_bound(46, 20) == 92


def test_a_tables_lower_bound_follows_its_kind() -> None:
    may_1 = date(2026, 5, 1).toordinal()
    delivery = {1: {may_1}, 2: {may_1 - 40}, 3: set()}  # campaign 2 delivered in March only
    daily, monthly = (
        Table.named("ad_analytics_by_creative", 98),
        Table.named("ad_analytics_by_member_country", 16),
    )
    assert (daily.monthly, monthly.monthly) == (False, True)
    # daily: rows per account; monthly: campaigns that delivered since the first month's start
    assert (
        arithmetic.lower_bound(daily, [15_001], delivery, date(2026, 4, 15), date(2026, 5, 31))
        == 12
    )
    assert arithmetic.lower_bound(monthly, [], delivery, date(2026, 4, 15), date(2026, 5, 31)) == 1
    assert arithmetic.lower_bound(monthly, [], delivery, date(2026, 3, 30), date(2026, 5, 31)) == 2


def test_delivering_campaigns_counts_campaigns_with_a_row_in_the_range() -> None:
    may_1 = date(2026, 5, 1).toordinal()
    rows = {1: {may_1}, 2: {may_1 - 1}, 3: set()}
    assert arithmetic.delivering_campaigns(rows, date(2026, 5, 1), date(2026, 5, 31)) == 1
    assert arithmetic.delivering_campaigns(rows, date(2026, 4, 30), date(2026, 5, 1)) == 2


def test_floor_is_requests_times_latency_over_concurrency() -> None:
    assert arithmetic.floor_seconds(400, 150, 4) == pytest.approx(15.0)
    assert arithmetic.floor_seconds(400, 150, 1) == pytest.approx(60.0)


def test_ratio_of_zero_is_none() -> None:
    assert arithmetic.ratio(3, 2) == 1.5
    assert arithmetic.ratio(3, 0) is None


def test_windows_cover_the_range() -> None:
    assert arithmetic.day_windows(date(2026, 1, 1), date(2026, 1, 30), 30) == 1
    assert arithmetic.day_windows(date(2026, 1, 1), date(2026, 1, 31), 30) == 2
    assert arithmetic.month_windows(date(2025, 12, 31), date(2026, 2, 1)) == 3
    assert arithmetic.month_windows(date(2026, 2, 1), date(2026, 1, 1)) == 0


def test_per_campaign_plan_asks_every_campaign_per_window_and_chunk() -> None:
    tables = [Table("daily", False, 98), Table("monthly", True, 16)]
    # 365 days: 13 windows of 30 days; 13 months touched; 6 and 1 chunks
    plan = arithmetic.per_campaign_plan(50, tables, date(2025, 11, 30), date(2026, 11, 29))
    assert plan == {"daily": 50 * 13 * 6, "monthly": 50 * 13 * 1}


def test_targets_add_postgres_and_spark_only_when_asked() -> None:
    assert arithmetic.targets(postgres=False, spark=False) == ["duckdb"]
    assert arithmetic.targets(postgres=True, spark=False) == ["duckdb", "postgres"]
    assert arithmetic.targets(postgres=False, spark=True) == ["duckdb", "spark"]
    assert arithmetic.targets(postgres=True, spark=True) == ["duckdb", "postgres", "spark"]


def test_against_divides_each_timing_by_the_base_warehouses() -> None:
    spark = arithmetic.Timings(bronze=3.0, full=300.0, incremental=240.0)
    duckdb = arithmetic.Timings(bronze=1.5, full=20.0, incremental=0.0)
    assert arithmetic.against(spark, duckdb) == {
        "bronze load": 2.0,
        "dbt full build": 15.0,
        "incremental build": None,
    }
