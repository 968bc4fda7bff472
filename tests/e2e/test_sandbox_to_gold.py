"""Sandbox -> bronze -> gold: totals equal the sandbox's, both engines agree row for row, an
incremental run after restated conversions equals a fresh full load, and an incremental build
after a new day (restatements and renames included) equals a full rebuild of the same bronze."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg2
import psycopg2.errors
import pytest

from ingest.linkedin_ads import settings
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.dbt_project import bi_role, build
from tests.support.gold import snapshot
from tests.support.sandbox import load
from tests.support.warehouse import query, tables

pytestmark = pytest.mark.e2e

# gold column -> API metric, as the dbt project states it
GOLD_METRICS = {column: metric.api_metric for column, metric in settings.GOLD_METRICS.items()}
LABELS = {
    "share": "Sponsored Post",
    "ugcPost": "UGC Post",
    "video": "Video Ad",
    "adInMailContent": "InMail",
    "adCreativeV2": "Creative",
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


def totals(warehouse: Warehouse, table: str, key: str) -> dict[Any, dict[str, Any]]:
    sums = ", ".join(f"sum({column})" for column in GOLD_METRICS)
    rows = query(warehouse, f"select {key}, {sums} from gold.{table} group by {key}")
    return {
        row[0]: {
            column: Decimal(value) for column, value in zip(GOLD_METRICS, row[1:], strict=True)
        }
        for row in rows
    }


def expected(metrics: dict[str, Any]) -> dict[str, Decimal]:
    return {column: Decimal(metrics[name]) for column, name in GOLD_METRICS.items()}


def expected_name(creative: dict[str, Any]) -> str:
    """Its own name, else the text ad headline, else type label + last 6 of the reference id."""
    if creative.get("name"):
        return creative["name"]
    content = creative.get("content") or {}
    if "textAd" in content:
        return content["textAd"]["headline"]
    kind, _, own_id = content["reference"].removeprefix("urn:li:").partition(":")
    return f"{LABELS[kind]} #{own_id[-6:]}"


def assert_gold_equals_sandbox(warehouse: Warehouse, sandbox: Any) -> None:
    truth = sandbox.truth
    by_account = totals(warehouse, "fct_campaign_performance_daily", "account_id")
    by_campaign = totals(warehouse, "fct_campaign_performance_daily", "campaign_id")
    by_creative = totals(warehouse, "fct_creative_performance_daily", "creative_id")
    report_by_account = totals(warehouse, "account_report_daily", "account_id")
    for account in truth.accounts:
        want = expected(truth.account_totals(account["id"]))
        if any(want.values()):
            assert by_account[account["id"]] == want, account["id"]
            assert report_by_account[account["id"]] == want, account["id"]
    for campaign in truth.campaigns:
        want = expected(truth.campaign_totals(campaign["id"]))
        if any(want.values()):
            assert by_campaign[campaign["id"]] == want, campaign["id"]
    for creative in truth.creatives:
        creative_id = int(creative["id"].rsplit(":", 1)[1])
        want = expected(truth.creative_totals(creative["id"]))
        if any(want.values()):
            assert by_creative[creative_id] == want, creative["id"]

    names = dict(query(warehouse, "select creative_id, creative_name from gold.dim_creatives"))
    assert names == {int(c["id"].rsplit(":", 1)[1]): expected_name(c) for c in truth.creatives}
    accounts = dict(query(warehouse, "select campaign_id, account_id from gold.dim_campaigns"))
    assert accounts == {
        c["id"]: int(re.sub(r"\D", "", c["account"].rsplit(":", 1)[1])) for c in truth.campaigns
    }


def test_gold_equals_the_sandbox_on_duckdb(sandbox: Any, duckdb_warehouse: Warehouse) -> None:
    load(duckdb_warehouse, sandbox)
    build(duckdb_warehouse, unit_tests=True)  # the dbt unit tests run here and on Postgres below
    assert_gold_equals_sandbox(duckdb_warehouse, sandbox)


@pytest.mark.postgres
def test_gold_is_the_same_on_duckdb_and_postgres(
    sandbox: Any, duckdb_warehouse: Warehouse, postgres_warehouse: Warehouse
) -> None:
    # given the same sandbox data loaded and built on both engines
    for warehouse in (duckdb_warehouse, postgres_warehouse):
        load(warehouse, sandbox)
        build(warehouse, unit_tests=True)

    # then Postgres gold equals the sandbox, and every gold table holds the same rows on both
    assert_gold_equals_sandbox(postgres_warehouse, sandbox)
    on_duckdb, on_postgres = snapshot(duckdb_warehouse), snapshot(postgres_warehouse)
    assert sorted(on_duckdb) == sorted(on_postgres)
    for table in on_duckdb:
        assert on_duckdb[table] == on_postgres[table], table

    # and the read-only BI role reads every gold table and nothing in bronze or silver
    for table in on_postgres:
        assert as_bi_role(postgres_warehouse, f"select count(*) from gold.{table}") is None, table
    for relation in (
        "bronze.campaigns",
        "bronze.ad_analytics_by_creative",
        "silver.stg_linkedin_ads__campaigns",
    ):
        assert "permission denied" in as_bi_role(postgres_warehouse, f"select 1 from {relation}")


def as_bi_role(warehouse: Warehouse, sql: str) -> str | None:
    """Run `sql` as the BI role (dbt var bi_role); None when allowed, else the error."""
    with psycopg2.connect(**warehouse.pg) as con, con.cursor() as cur:
        cur.execute(f'set role "{bi_role()}"')
        try:
            cur.execute(sql)
        except psycopg2.errors.InsufficientPrivilege as error:
            return str(error)
    return None


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_incremental_run_after_restatement_equals_a_fresh_full_load(
    engine: str, request: pytest.FixtureRequest, duckdb_warehouse: Warehouse
) -> None:
    incremental = request.getfixturevalue(f"{engine}_warehouse")
    fresh = (
        duckdb_warehouse
        if engine == "postgres"
        else Warehouse.from_env(
            {"WAREHOUSE_PATH": str(duckdb_warehouse.duckdb_path.with_name("fresh.duckdb"))}
        )
    )
    with run_sandbox(SandboxConfig()) as sandbox:
        # given a warehouse loaded and built once
        load(incremental, sandbox)
        build(incremental)
        # when LinkedIn restates the conversions of the last 10 days and the job runs again
        assert sandbox.restate(days=10) > 0
        load(incremental, sandbox)
        build(incremental)
        # then gold equals a fresh full load of the restated data
        load(fresh, sandbox)
        build(fresh)
        assert_gold_equals_sandbox(incremental, sandbox)
        after_incremental, after_fresh = snapshot(incremental), snapshot(fresh)
    for table in after_fresh:
        assert after_incremental[table] == after_fresh[table], table


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_incremental_build_after_a_new_day_equals_a_full_rebuild(
    engine: str, request: pytest.FixtureRequest
) -> None:
    warehouse = request.getfixturevalue(f"{engine}_warehouse")
    today = datetime.now(UTC).date()
    # given gold built from the data through yesterday
    with run_sandbox(SandboxConfig(today=today - timedelta(days=1))) as sandbox:
        load(warehouse, sandbox)
        build(warehouse)
    with run_sandbox(SandboxConfig(today=today)) as sandbox:
        # when a day is added, LinkedIn restates the last 10 days and a campaign and a creative
        # are renamed, and the job loads and builds again (incrementally)
        campaign = sandbox.advertiser.campaigns[0]
        campaign["name"] = f"{campaign['name']} (renamed)"
        creative = sandbox.advertiser.creatives[0]
        creative["name"] = f"{creative.get('name') or 'creative'} (renamed)"
        assert sandbox.restate(days=10) > 0
        load(warehouse, sandbox)
        build(warehouse)
    incremental = snapshot(warehouse)
    # then a full rebuild of the same bronze holds exactly the same gold, table by table
    build(warehouse, "--full-refresh")
    rebuilt = snapshot(warehouse)
    assert sorted(incremental) == sorted(rebuilt)
    for table in rebuilt:
        assert incremental[table] == rebuilt[table], table
    # and the incremental run did add the day, and the new names reached rows older than the
    # days it rebuilt
    for fact in ("fct_campaign_performance_daily", "fct_creative_performance_daily"):
        assert query(warehouse, f"select max(date_day) from gold.{fact}") == [(today,)], fact
    old = (today - timedelta(days=60)).isoformat()
    for table, key, entity_id, name in (
        ("campaign_report_daily", "campaign_id", campaign["id"], campaign["name"]),
        ("creative_report_daily", "creative_id", creative_id(creative), creative["name"]),
    ):
        column = key.replace("_id", "_name")
        names = query(
            warehouse,
            f"select distinct {column} from gold.{table} "
            f"where date_day < '{old}' and {key} = {entity_id}",
        )
        assert names == [(name,)], table
    assert_gold_indexes(warehouse)
    # and rebuilding the dimensions alone (as when a later node of a build fails) leaves the
    # report views that read them in place (Postgres drops the views of a table dbt replaces)
    build(warehouse, "--select", "dim_ad_accounts dim_campaign_groups dim_campaigns dim_creatives")
    reports = {"account", "campaign_group", "campaign", "creative"}
    assert {f"{grain}_report_daily" for grain in reports} <= set(tables(warehouse, "gold"))


def creative_id(creative: dict[str, Any]) -> int:
    return int(creative["id"].rsplit(":", 1)[1])


def assert_gold_indexes(warehouse: Warehouse) -> None:
    """Postgres: the facts carry the indexes BI filters use (day, then ids); DuckDB: none (its
    zone maps serve day ranges, and an index would slow every delete+insert)."""
    if warehouse.target == "duckdb":
        indexes = "select count(*) from duckdb_indexes() where schema_name = 'gold'"
        assert query(warehouse, indexes) == [(0,)]
        return
    indexed = {
        (table, tuple(column.strip() for column in columns.split(",")))
        for table, columns in query(
            warehouse,
            "select tablename, substring(indexdef from '\\((.*)\\)') from pg_indexes "
            "where schemaname = 'gold'",
        )
    }
    for fact, entity in (
        ("fct_campaign_performance_daily", "campaign_id"),
        ("fct_creative_performance_daily", "creative_id"),
    ):
        assert (fact, ("date_day",)) in indexed
        assert (fact, (entity, "date_day")) in indexed
        assert (fact, ("account_id", "date_day")) in indexed
