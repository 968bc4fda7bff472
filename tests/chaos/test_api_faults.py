"""API faults: 20% of requests faulted, a token that expires mid-run, a row cap forced low.

Each run's gold equals the fault-free run's gold row for row, and bronze and gold hold no key
twice. The client really retries: its retries are counted against the faults the sandbox injected.
"""

from __future__ import annotations

import logging
import re

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.sandbox.config import FAULT_KINDS
from ingest.warehouse import Warehouse
from tests.chaos.helpers import (
    FAST_RETRIES,
    ChaosLedger,
    CleanRun,
    build_gold,
    check_gold,
)
from tests.support.sandbox import load

pytestmark = pytest.mark.chaos


def test_full_and_incremental_runs_with_20_percent_faults_give_the_clean_gold(
    clean_run: CleanRun, duckdb_warehouse: Warehouse, ledger: ChaosLedger
) -> None:
    # given a sandbox that faults 20% of its answers with every kind it knows, a slow answer
    # outliving the client's timeout
    config = SandboxConfig(fault_rate=0.2, fault_kinds=tuple(sorted(FAULT_KINDS)), slow_seconds=1.5)
    with run_sandbox(config) as sandbox:
        for run in ("full", "incremental"):
            # when the job loads (the second time incrementally: a 7-day window) and builds
            before = sum(sandbox.stats.faults.values())
            result = load(
                duckdb_warehouse,
                sandbox,
                **clean_run.settings,
                attribution_window_days=7,
                **FAST_RETRIES,
            )
            build_gold(duckdb_warehouse)
            ledger.record_client(result.stats)
            injected = sum(sandbox.stats.faults.values()) - before

            # then every fault cost a retry, and gold equals the fault-free gold
            assert result.stats.api is not None
            assert injected > 0.1 * result.stats.api.requests, run
            assert result.stats.api.retries >= injected, run
            diff = check_gold(f"20% faults, {run} run", ledger, clean_run, duckdb_warehouse)
            assert not diff, f"{run} run: {diff}"
        ledger.record_sandbox(sandbox.stats)
    assert set(sandbox.stats.faults) == FAULT_KINDS


def test_access_token_expiring_mid_run_is_refreshed_and_gold_is_unchanged(
    clean_run: CleanRun, duckdb_warehouse: Warehouse, ledger: ChaosLedger
) -> None:
    # given an access token that expires after every 40 calls
    with run_sandbox(SandboxConfig(token_expires_after_calls=40)) as sandbox:
        # when the job loads and builds
        result = load(duckdb_warehouse, sandbox, **clean_run.settings, **FAST_RETRIES)
        build_gold(duckdb_warehouse)
        ledger.record_client(result.stats)
        ledger.record_sandbox(sandbox.stats)

    # then the client refreshed it each time (once per expiry, however many threads saw the
    # 401) and gold equals the fault-free gold
    assert result.stats.api is not None
    expiries = result.stats.api.requests // 40
    assert result.stats.api.refreshes >= max(expiries - 1, 2)
    assert sandbox.stats.tokens_refreshed == result.stats.api.refreshes
    diff = check_gold("token expiring", ledger, clean_run, duckdb_warehouse)
    assert not diff, diff


def test_row_cap_forced_low_splits_windows_on_every_account_and_gold_is_unchanged(
    clean_run: CleanRun,
    duckdb_warehouse: Warehouse,
    ledger: ChaosLedger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given an API that truncates every answer at 150 rows, and a source told so
    cap = 150
    caplog.set_level(logging.WARNING, logger="ingest.linkedin_ads")
    with run_sandbox(SandboxConfig(row_cap=cap)) as sandbox:
        # when the job loads and builds
        result = load(duckdb_warehouse, sandbox, **clean_run.settings, row_cap=cap)
        build_gold(duckdb_warehouse)
        ledger.record_client(result.stats)
        ledger.record_sandbox(sandbox.stats)
        owners = {
            f"urn:li:sponsoredCampaign:{campaign['id']}": campaign["account"]
            for campaign in sandbox.truth.campaigns
        }
        delivering = {owners[urn] for urn in owners if sandbox.truth.campaign_daily(urn)}

    # then the planner asked for more, smaller windows than without the cap ...
    for table in ("ad_analytics_by_campaign", "ad_analytics_by_creative"):
        assert result.stats.requests[table] > clean_run.requests[table], table
    # ... windows that still reached the cap were halved, on every account that delivers ...
    halved = {
        owners[urn]
        for record in caplog.records
        if "-row cap" in record.getMessage()
        for urn in re.findall(r"urn:li:sponsoredCampaign:\d+", record.getMessage())[:1]
    }
    ledger.add_fault("row cap truncation", result.stats.split_windows)
    assert result.stats.split_windows > 0
    assert halved == delivering
    # ... and gold equals the fault-free gold
    diff = check_gold("row cap 150", ledger, clean_run, duckdb_warehouse)
    assert not diff, diff
