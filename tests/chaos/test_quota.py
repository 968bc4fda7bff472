"""Daily quota: a 429 naming the DAY limit stops the run after committing what completed, and
the next run (the quota lifted) resumes without gaps or duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.__main__ import EXIT_STOPPED, main
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse, build_pipeline
from tests.chaos.helpers import (
    DAILY_TABLES,
    ChaosLedger,
    CleanRun,
    build_gold,
    check_gold,
    cli_env,
    daily_rows,
)
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.chaos


def _owners(sandbox: Any) -> dict[str, int]:
    """pivot_value (campaign or creative URN) -> the id of the account that owns it."""
    owners = {
        f"urn:li:sponsoredCampaign:{campaign['id']}": int(campaign["account"].rsplit(":", 1)[1])
        for campaign in sandbox.truth.campaigns
    }
    for account in sandbox.truth.accounts:
        for urn in sandbox.truth.creatives_of(account=account["id"]):
            owners[urn] = account["id"]
    return owners


def test_daily_quota_stops_the_run_with_one_line_and_the_next_run_resumes(
    clean_run: CleanRun,
    duckdb_warehouse: Warehouse,
    ledger: ChaosLedger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with run_sandbox(SandboxConfig(daily_quota_calls=60)) as sandbox:
        for name, value in cli_env(sandbox, duckdb_warehouse).items():
            monkeypatch.setenv(name, value)

        # given a quota of 60 adAnalytics calls a day, fewer than a load needs
        # when the load runs
        code = main(["load"])

        # then it exits non-zero with one line about the DAY limit and when it resets
        errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
        assert code == EXIT_STOPPED
        assert len(errors) == 1, errors
        assert errors[0].startswith("error: run stopped early: LinkedIn API 429")
        assert "DAY limit" in errors[0]
        assert "resets at 00:00 UTC" in errors[0]
        day_limit_answers = sandbox.stats.by_status.get(429, 0)
        ledger.add_fault("429 DAY limit", day_limit_answers)

        # ... after committing what completed: every account's daily windows up to the day its
        # state says it loaded through are in bronze, exactly as in the fault-free run
        state = build_pipeline(duckdb_warehouse).state["sources"]["linkedin_ads"]
        owners = _owners(sandbox)
        committed = 0
        for table in DAILY_TABLES:
            through = state["resources"].get(table, {}).get("loaded_through", {})
            loaded = daily_rows(duckdb_warehouse, table)
            assert loaded <= clean_run.daily[table], f"{table}: rows the API never served"
            for account, day in through.items():
                want = {
                    row
                    for row in clean_run.daily[table]
                    if owners[row[0]] == int(account) and row[1].isoformat() <= day
                }
                assert want <= loaded, f"{table} account {account}: windows through {day} lost"
                committed += len(want)
        assert committed > 0, "the stopped run committed no complete window"
        # ... and stopped partway: some table of some account was not read through today
        finished = [
            account
            for resource in state["resources"].values()
            for account, day in resource.get("loaded_through", {}).items()
            if day == sandbox.today.isoformat()
        ]
        assert len(finished) < 10 * len(sandbox.truth.accounts), "the run was not stopped"
        assert query(duckdb_warehouse, "select count(*) from bronze._dlt_loads")[0][0] == 1

        # when the quota is lifted and the job runs again
        sandbox.configure(daily_quota_calls=None)
        result = load(duckdb_warehouse, sandbox, **clean_run.settings)
        build_gold(duckdb_warehouse)
        ledger.record_client(result.stats)
        ledger.record_sandbox(sandbox.stats)

    # then it finished, and gold equals the fault-free gold: no gap, no duplicate
    assert result.stats.stopped_by is None
    diff = check_gold("daily quota, then resumed", ledger, clean_run, duckdb_warehouse)
    assert not diff, diff
