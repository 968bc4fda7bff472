"""Sandbox -> bronze -> gold: conversion rules, conversions by rule and delivery by device hold
exactly the sandbox's own data, on DuckDB and on Postgres; against an API that serves none of them
the run completes with the tables empty and one summary line each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ingest.linkedin_ads import settings
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.dbt_project import build
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.e2e

WARN_TEST = "warn_conversion_rules_differ_from_account_conversions"
DEVICE_METRICS = {
    column: metric.api_metric
    for column, metric in settings.GOLD_METRICS.items()
    if metric.device_pivot
}
NEW_TABLES = ("dim_conversions", "fct_conversion_performance_daily", "fct_device_performance_daily")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


def _id(urn: str) -> int:
    return int(urn.rsplit(":", 1)[1])


def expected_rules(truth: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (
            rule["id"],
            _id(rule["account"]),
            rule["name"],
            rule["type"],
            rule["enabled"],
            rule["postClickAttributionWindowSize"],
            rule["viewThroughAttributionWindowSize"],
        )
        for account in truth.accounts
        for rule in truth.conversion_rules(account["id"])
    )


def expected_conversions(truth: Any) -> list[tuple[Any, ...]]:
    rows = []
    for creative in truth.creatives_of():
        for (rule, day), metrics in truth.conversions_by_rule(creative).items():
            rows.append(
                (
                    _id(creative),
                    _id(rule),
                    day,
                    metrics["externalWebsiteConversions"],
                    metrics["externalWebsitePostClickConversions"],
                    metrics["externalWebsitePostViewConversions"],
                    metrics["conversionValueInLocalCurrency"],
                )
            )
    return sorted(rows)


def expected_devices(truth: Any) -> list[tuple[Any, ...]]:
    """(campaign, device, day, gold device metrics) for the rows the API serves: a row whose
    requested metrics are all zero is left out; the empty device is UNKNOWN in gold."""
    rows = []
    for campaign in truth.campaigns:
        for (device, day), metrics in truth.device_daily(campaign["id"]).items():
            values = tuple(metrics[api] for api in DEVICE_METRICS.values())
            if any(values):
                rows.append((campaign["id"], device or "UNKNOWN", day, *values))
    return sorted(rows)


def rule_gaps(truth: Any) -> dict[int, int]:
    """Per account with split conversions: the rules' conversions minus the account's total,
    over the days the split covers."""
    gaps: dict[int, int] = {}
    for account in truth.accounts:
        days: list[date] = []
        split = 0
        for creative in truth.creatives_of(account=account["id"]):
            for (_, day), metrics in truth.conversions_by_rule(creative).items():
                days.append(day)
                split += metrics["externalWebsiteConversions"]
        if days:
            total = truth.account_totals(account["id"], min(days), max(days))
            if split != total["externalWebsiteConversions"]:
                gaps[account["id"]] = split - total["externalWebsiteConversions"]
    return gaps


def assert_gold_equals_sandbox(warehouse: Warehouse, sandbox: Any) -> None:
    # given the sandbox loaded and built
    result = load(warehouse, sandbox)
    build(warehouse)
    truth = sandbox.truth

    # then the conversion rules are the sandbox's
    rules = query(
        warehouse,
        "select conversion_id, account_id, conversion_name, conversion_type, is_enabled, "
        "post_click_window_days, view_through_window_days from gold.dim_conversions",
    )
    assert sorted(rules) == expected_rules(truth)

    # and the conversions by rule are the sandbox's, row for row
    conversions = query(
        warehouse,
        "select creative_id, conversion_id, date_day, conversions, post_click_conversions, "
        "post_view_conversions, conversion_value_local from gold.fct_conversion_performance_daily",
    )
    assert conversions
    assert sorted(conversions) == expected_conversions(truth)

    # and the delivery by device too, the empty device value kept as UNKNOWN
    columns = ", ".join(DEVICE_METRICS)
    devices = query(
        warehouse,
        f"select campaign_id, device_type, date_day, {columns} "
        "from gold.fct_device_performance_daily",
    )
    assert "UNKNOWN" in {row[1] for row in devices}
    assert sorted(devices) == expected_devices(truth)

    # and the per-rule gap warns with its size, per account, without failing the build
    warned = query(
        warehouse, f"select account_id, gap, gap_kind, gap_percent from dbt_test__audit.{WARN_TEST}"
    )
    assert {row[0]: row[1] for row in warned} == rule_gaps(truth)
    assert warned
    for _, gap, kind, percent in warned:
        assert kind == ("rules_above" if gap > 0 else "rules_below")
        assert (percent > 0) == (gap > 0)

    # and each table costs one request per account here, as its lower bound
    for table in ("ad_analytics_by_conversion", "ad_analytics_by_device"):
        assert result.stats.requests[table] == result.stats.lower_bound(table) == 3
    assert result.stats.api is not None
    assert result.stats.api.by_kind["conversions"] == len(truth.accounts)


def test_breakdowns_equal_the_sandbox_on_duckdb(sandbox: Any, duckdb_warehouse: Warehouse) -> None:
    assert_gold_equals_sandbox(duckdb_warehouse, sandbox)


@pytest.mark.postgres
def test_breakdowns_equal_the_sandbox_on_postgres(
    sandbox: Any, postgres_warehouse: Warehouse
) -> None:
    assert_gold_equals_sandbox(postgres_warehouse, sandbox)


def test_an_api_without_the_reports_completes_with_empty_tables_and_says_why(
    duckdb_warehouse: Warehouse,
) -> None:
    # given an API whose token may not read conversion tracking (403) and whose version does not
    # know the device pivot (400)
    knobs = {"conversions_denied": True, "unknown_pivots": ("IMPRESSION_DEVICE_TYPE",)}
    with run_sandbox(SandboxConfig(**knobs)) as refusing:
        # when a run loads and builds
        result = load(duckdb_warehouse, refusing)
        build(duckdb_warehouse)

    # then the run completed, the other tables are loaded and the new ones are empty
    assert result.rows["ad_analytics_by_campaign"] > 0
    assert result.stats.stopped_by is None
    for table in NEW_TABLES:
        assert query(duckdb_warehouse, f"select count(*) from gold.{table}") == [(0,)]
    # and the summary says why, one line per table
    # (besides the posts line: the sandbox seeds a few posts it refuses one by one)
    refused = {line.split(":", 1)[0]: line for line in result.stats.warnings}
    refused.pop("posts")
    assert set(refused) == {"conversions", "ad_analytics_by_conversion", "ad_analytics_by_device"}
    assert "403" in refused["conversions"]
    assert "ACCESS_DENIED" in refused["conversions"]
    assert "403" in refused["ad_analytics_by_conversion"]
    assert "400" in refused["ad_analytics_by_device"]
    assert all("\n" not in line for line in refused.values())
    # and the refused tables asked once, not once per account and window
    assert result.stats.api is not None
    assert result.stats.api.by_kind["conversions"] == 1
    assert result.stats.requests.get("ad_analytics_by_conversion", 0) == 0
