"""Sandbox -> bronze on DuckDB and Postgres: bronze holds exactly the sandbox's data, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ingest.linkedin_ads import (
    BREAKDOWN_ANALYTICS,
    DAILY_ANALYTICS,
    ENTITY_KINDS,
    analytics,
    settings,
)
from ingest.linkedin_ads.client import LinkedInClient
from ingest.pipeline import repair_duplicate_keys
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse, build_pipeline
from tests.support.sandbox import load
from tests.support.warehouse import count, duplicate_keys, query, tables

pytestmark = pytest.mark.e2e
METRIC_COLUMNS = [metric.column for metric in settings.METRICS]
BRONZE_TABLES = [
    "ad_accounts",
    *ENTITY_KINDS,
    "posts",
    *DAILY_ANALYTICS,
    *(f"ad_analytics_by_member_{name}" for name in settings.DEMOGRAPHIC_PIVOTS),
    "conversions",
    *BREAKDOWN_ANALYTICS,
]
DLT_TABLES = ["_dlt_loads", "_dlt_pipeline_state", "_dlt_version"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    return request.getfixturevalue(f"{request.param}_warehouse")


def expected_daily(sandbox: Any, level: str) -> dict[tuple[str, date], dict[str, Any]]:
    """The sandbox's own rows: one per campaign (creative) and day with any non-zero metric."""
    truth = sandbox.truth
    if level == "campaign":
        keys = [(f"urn:li:sponsoredCampaign:{c['id']}", c["id"]) for c in truth.campaigns]
        daily = truth.campaign_daily
    else:
        keys = [(c["id"], c["id"]) for c in truth.creatives]
        daily = truth.creative_daily
    rows = {}
    for urn, key in keys:
        for day, metrics in daily(key).items():
            if any(metrics[m.api_name] for m in settings.METRICS):
                rows[(urn, day)] = {m.column: metrics[m.api_name] for m in settings.METRICS}
    return rows


def bronze_daily(warehouse: Warehouse, table: str) -> dict[tuple[str, date], dict[str, Any]]:
    columns = ", ".join(METRIC_COLUMNS)
    rows = query(warehouse, f"select pivot_value, start_date, {columns} from bronze.{table}")
    return {
        (row[0], row[1]): {
            column: Decimal(value) if isinstance(value, Decimal) else value
            for column, value in zip(METRIC_COLUMNS, row[2:], strict=True)
        }
        for row in rows
    }


def lower_bound(sandbox: Any, level: str) -> int:
    """Sum over serving accounts of ceil(rows / 15,000) x ceil(metrics / 18); test accounts
    (`test: true`) cannot serve and are not asked."""
    rows = expected_daily(sandbox, level)
    truth = sandbox.truth
    total = 0
    for account in (a for a in truth.accounts if not a["test"]):
        if level == "campaign":
            members = {f"urn:li:sponsoredCampaign:{c}" for c in truth.campaigns_of(account["id"])}
        else:
            members = set(truth.creatives_of(account=account["id"]))
        account_rows = sum(1 for urn, _ in rows if urn in members)
        total += analytics.lower_bound_requests(account_rows, len(settings.METRICS))
    return total


def test_bronze_equals_the_sandbox_and_a_rerun_adds_no_duplicates(
    sandbox: Any, warehouse: Warehouse
) -> None:
    # given an empty warehouse, when the source loads the sandbox
    result = load(warehouse, sandbox)

    # then every entity is there once, as the API sent it
    truth = sandbox.truth
    for table, records in (
        ("ad_accounts", truth.accounts),
        ("campaign_groups", truth.campaign_groups),
        ("campaigns", truth.campaigns),
        ("creatives", truth.creatives),
    ):
        assert sorted(r[0] for r in query(warehouse, f"select id from bronze.{table}")) == sorted(
            record["id"] for record in records
        ), table
    campaign_accounts = dict(query(warehouse, "select id, account from bronze.campaigns"))
    assert campaign_accounts == {c["id"]: c["account"] for c in truth.campaigns}
    # ... in one table per resource: list fields are json columns, not dlt child tables
    assert tables(warehouse, "bronze") == sorted([*BRONZE_TABLES, *DLT_TABLES])

    # and the daily analytics tables equal the sandbox's rows, metric for metric
    for level in ("campaign", "creative"):
        table = f"ad_analytics_by_{level}"
        assert bronze_daily(warehouse, table) == expected_daily(sandbox, level), table
        # with at most 1.2x the fewest requests any client could make (which the summary reports)
        assert result.stats.requests[table] <= 1.2 * lower_bound(sandbox, level), table
        assert result.stats.lower_bound(table) == lower_bound(sandbox, level), table

    # and every demographic table has rows, keyed once
    for name in settings.DEMOGRAPHIC_PIVOTS:
        table = f"bronze.ad_analytics_by_member_{name}"
        assert count(warehouse, table) > 0, table
        assert duplicate_keys(warehouse, table, ["campaign", "pivot_value", "start_date"]) == 0

    # and no unique index on dlt's row ids, which would fail a load replayed after a crash
    if warehouse.target == "postgres":
        unique_row_ids = query(
            warehouse,
            "select indexname from pg_indexes where schemaname like 'bronze%' "
            "and indexdef like 'CREATE UNIQUE INDEX%(_dlt_id)%'",
        )
        assert unique_row_ids == []

    # when the same data is loaded again
    before = {t: count(warehouse, f"bronze.{t}") for t in result.rows}
    load(warehouse, sandbox)

    # then no table grew and no key repeats
    assert {t: count(warehouse, f"bronze.{t}") for t in result.rows} == before
    for level in ("campaign", "creative"):
        table = f"bronze.ad_analytics_by_{level}"
        assert duplicate_keys(warehouse, table, ["pivot_value", "start_date"]) == 0


def test_keys_loaded_twice_are_repaired_keeping_the_latest_row(
    sandbox: Any, warehouse: Warehouse
) -> None:
    # given one account loaded, then a replayed load's rows: two keys with newer values, one
    # key copied exactly (dlt merges these tables without deduplicating staging rows)
    account = sandbox.truth.accounts[0]["id"]
    load(warehouse, sandbox, account_ids=[account])
    table = "bronze.ad_analytics_by_campaign"
    keys = query(warehouse, f"select pivot_value, start_date from {table} order by 1, 2 limit 3")
    before = {key: impressions(warehouse, table, key) for key in keys}
    pipeline = build_pipeline(warehouse)
    with pipeline.sql_client() as client:
        for n, (urn, day) in enumerate(keys):
            newer = n < 2
            client.execute_sql(
                f"insert into {table} select * from {table} "
                "where pivot_value = %s and start_date = %s",
                urn,
                day,
            )
            if newer:  # the copy just inserted is the one with the lower impressions
                client.execute_sql(
                    f"update {table} set impressions = impressions + 1000, "
                    "_dlt_load_id = '9999999999.0' where pivot_value = %s and start_date = %s "
                    f"and _dlt_load_id = (select min(_dlt_load_id) from {table} "
                    "where pivot_value = %s and start_date = %s)",
                    urn,
                    day,
                    urn,
                    day,
                )

    # when the load's repair runs
    repaired = repair_duplicate_keys(pipeline)

    # then each key is there once, with the latest load's values
    assert repaired == {table: 3}
    assert duplicate_keys(warehouse, table, ["pivot_value", "start_date"]) == 0
    for n, key in enumerate(keys):
        assert impressions(warehouse, table, key) == before[key] + (1000 if n < 2 else 0)
    assert repair_duplicate_keys(pipeline) == {}


def impressions(warehouse: Warehouse, table: str, key: tuple[Any, ...]) -> int:
    urn, day = key
    return query(
        warehouse,
        f"select sum(impressions) from {table} "
        f"where pivot_value = '{urn}' and start_date = '{day.isoformat()}'",
    )[0][0]


def test_analytics_requests_in_flight_never_exceed_the_concurrency_setting(
    sandbox: Any, duckdb_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a counter of adAnalytics calls in flight, and slow answers so that calls overlap
    in_flight, peak, lock = 0, 0, threading.Lock()
    original = LinkedInClient._get  # under get and get_body

    def counting_get(self: LinkedInClient, path: str, params: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, peak
        if path != "adAnalytics":
            return original(self, path, params, **kwargs)
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return original(self, path, params, **kwargs)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(LinkedInClient, "_get", counting_get)
    sandbox.configure(latency_ms=20)
    try:
        # when one account's analytics tables load with concurrency 3
        account = sandbox.truth.accounts[0]["id"]
        load(duckdb_warehouse, sandbox, account_ids=[account], concurrency=3)
    finally:
        sandbox.configure(latency_ms=0)

    # then the tables together never had more than 3 calls in flight, and did overlap
    assert peak == 3
