"""Restated conversions: a full window catches up; a shorter one names the days it leaves stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.e2e


def bronze_conversions(warehouse: Warehouse) -> dict[tuple[str, object], int]:
    rows = query(
        warehouse,
        "select pivot_value, start_date, external_website_conversions "
        "from bronze.ad_analytics_by_campaign",
    )
    return {(urn, day): conversions for urn, day, conversions in rows}


def truth_conversions(sandbox: object) -> dict[tuple[str, object], int]:
    truth = sandbox.truth  # type: ignore[attr-defined]
    return {
        (f"urn:li:sponsoredCampaign:{campaign['id']}", day): metrics["externalWebsiteConversions"]
        for campaign in truth.campaigns
        for day, metrics in truth.campaign_daily(campaign["id"]).items()
    }


def test_short_attribution_window_reports_stale_days_and_a_full_window_catches_up(
    duckdb_warehouse: Warehouse,
) -> None:
    with run_sandbox(SandboxConfig()) as sandbox:
        # given a loaded warehouse, and LinkedIn restating the last 10 days' conversions
        load(duckdb_warehouse, sandbox)
        assert sandbox.restate(days=10) > 0
        today = sandbox.truth.last_day

        # when the next run re-reads only 3 days
        short = load(duckdb_warehouse, sandbox, attribution_window_days=3)

        # then it says which days may be stale, and those days are indeed stale in bronze
        first_stale = (today - timedelta(days=29)).isoformat()
        last_stale = (today - timedelta(days=3)).isoformat()
        assert any(
            f"days {first_stale}..{last_stale} may be stale" in warning
            for warning in short.stats.warnings
        ), short.stats.warnings
        loaded, truth = bronze_conversions(duckdb_warehouse), truth_conversions(sandbox)
        recent = {key for key in truth if key[1] > today - timedelta(days=3)}
        assert all(loaded.get(key, 0) == truth[key] for key in recent)
        assert any(loaded.get(key, 0) != value for key, value in truth.items())

        # when a run re-reads the full 30-day window, bronze equals the restated API
        full = load(duckdb_warehouse, sandbox)
        assert not any("stale" in warning for warning in full.stats.warnings)
        loaded = bronze_conversions(duckdb_warehouse)
        assert {k: v for k, v in loaded.items() if v} == {k: v for k, v in truth.items() if v}
