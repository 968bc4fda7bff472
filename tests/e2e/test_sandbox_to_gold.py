"""Sandbox -> bronze -> gold: totals equal the sandbox's, both engines agree row for row, and an
incremental run after restated conversions equals a fresh full load."""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from tests.support.warehouse import query

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
    build(duckdb_warehouse)
    assert_gold_equals_sandbox(duckdb_warehouse, sandbox)


@pytest.mark.postgres
def test_gold_is_the_same_on_duckdb_and_postgres(
    sandbox: Any, duckdb_warehouse: Warehouse, postgres_warehouse: Warehouse
) -> None:
    # given the same sandbox data loaded and built on both engines
    for warehouse in (duckdb_warehouse, postgres_warehouse):
        load(warehouse, sandbox)
        build(warehouse)

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
