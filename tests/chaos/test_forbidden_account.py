"""A 403 on one ad account: the run warns, skips that account and loads the others."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.chaos.helpers import ChaosLedger, CleanRun, build_gold, check_gold
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.chaos


def test_forbidden_account_is_skipped_with_a_warning_and_the_others_load(
    clean_run: CleanRun, duckdb_warehouse: Warehouse, ledger: ChaosLedger
) -> None:
    with run_sandbox(SandboxConfig()) as probe:
        # the account with the most campaigns, so that skipping it is visible everywhere
        forbidden = max(
            (account["id"] for account in probe.truth.accounts),
            key=lambda account: len(probe.truth.campaigns_of(account)),
        )
    # given a token that may list every account but gets 403 on one account's campaigns
    with run_sandbox(SandboxConfig(forbidden_account_ids=(forbidden,))) as sandbox:
        # when the job loads and builds
        result = load(duckdb_warehouse, sandbox, **clean_run.settings)
        build_gold(duckdb_warehouse)
        ledger.record_client(result.stats)
        ledger.record_sandbox(sandbox.stats)

    # then it warned once, naming the account, and skipped only that account
    assert list(result.stats.skipped_accounts) == [forbidden]
    warnings = [w for w in result.stats.warnings if str(forbidden) in w]
    assert len(warnings) == 1
    assert "skipped" in warnings[0]
    assert "403" in warnings[0]
    assert result.stats.stopped_by is None

    # ... and gold equals the fault-free gold without that account's rows; the account itself
    # is still listed (the token can read it), with nothing under it and no day loaded
    def other_accounts(table: str, row: dict[str, Any]) -> bool:
        listed = table in ("dim_ad_accounts", "account_freshness")
        return listed or row.get("account_id") != forbidden

    diff = check_gold(
        "403 on one account",
        ledger,
        clean_run,
        duckdb_warehouse,
        keep=other_accounts,
        drop_table_columns={"account_freshness": ["last_loaded_day"]},
    )
    assert not diff, diff
    assert query(
        duckdb_warehouse,
        f"select last_loaded_day from gold.account_freshness where account_id = {forbidden}",
    ) == [(None,)]
    assert query(
        duckdb_warehouse, f"select count(*) from gold.dim_campaigns where account_id = {forbidden}"
    ) == [(0,)]
    assert query(
        duckdb_warehouse,
        f"select count(*) from gold.dim_ad_accounts where account_id = {forbidden}",
    ) == [(1,)]
