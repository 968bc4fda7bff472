"""Schema drift: unknown fields load as new columns and leave gold unchanged, dropped optional
fields leave every other gold column unchanged, and a field whose type changes fails the load
with one line naming the table and column (data types are frozen) and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

import ingest.linkedin_ads as source_package
from ingest.__main__ import EXIT_API_REFUSED, main
from ingest.linkedin_ads.client import LinkedInClient
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.chaos.helpers import ChaosLedger, CleanRun, build_gold, check_gold, cli_env
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.chaos

# Gold columns fed by the fields drop_optional_fields leaves out (budgets, unit cost, a
# campaign's scheduled end, a creative's own name and so the display name derived from it).
FED_BY_DROPPED_FIELDS = {
    "total_budget_amount",
    "daily_budget_amount",
    "unit_cost_amount",
    "run_schedule_end_at",
    "creative_own_name",
    "creative_name",
}


def test_unknown_and_dropped_fields_load_and_leave_gold_unchanged(
    clean_run: CleanRun, duckdb_warehouse: Warehouse, ledger: ChaosLedger
) -> None:
    # given an API that adds fields nobody knows and leaves optional fields out
    config = SandboxConfig(extra_fields=True, drop_optional_fields=True)
    with run_sandbox(config) as sandbox:
        # when the job loads and builds
        result = load(duckdb_warehouse, sandbox, **clean_run.settings)
        build_gold(duckdb_warehouse)
        ledger.record_client(result.stats)
    ledger.add_fault("schema drift run")

    # then the unknown fields landed as new bronze columns ...
    columns = {
        name
        for (name,) in query(
            duckdb_warehouse,
            "select column_name from information_schema.columns "
            "where table_schema = 'bronze' and table_name = 'campaigns'",
        )
    }
    assert {"sandbox_drift_flag", "additional_attributes__drift_version"} <= columns
    # ... and gold equals the fault-free gold in every column the dropped fields do not feed
    diff = check_gold(
        "schema drift",
        ledger,
        clean_run,
        duckdb_warehouse,
        drop_columns=FED_BY_DROPPED_FIELDS,
    )
    assert not diff, diff
    # ... while the display name still follows its fallback (never null)
    assert query(
        duckdb_warehouse, "select count(*) from gold.dim_creatives where creative_name is null"
    ) == [(0,)]


class _RetypedCampaigns(httpx.BaseTransport):
    """Forwards to the sandbox; campaigns' created time comes back as an ISO string."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if not request.url.path.endswith("/adCampaigns"):
            return response
        response.read()
        body = json.loads(response.content)
        for campaign in body.get("elements", []):
            campaign["changeAuditStamps"]["created"]["time"] = "2026-01-01T00:00:00Z"
        return httpx.Response(response.status_code, headers=response.headers, json=body)


def test_field_changing_type_fails_with_one_line_naming_the_column_and_writes_nothing(
    duckdb_warehouse: Warehouse,
    ledger: ChaosLedger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with run_sandbox(SandboxConfig()) as sandbox:
        for name, value in cli_env(sandbox, duckdb_warehouse).items():
            monkeypatch.setenv(name, value)
        account = sandbox.truth.accounts[0]["id"]
        monkeypatch.setenv("SOURCES__LINKEDIN_ADS__ACCOUNT_IDS", str(account))
        monkeypatch.setenv(
            "SOURCES__LINKEDIN_ADS__START_DATE", (sandbox.today - timedelta(days=3)).isoformat()
        )
        # given a warehouse loaded once, campaigns' created time a bigint (epoch milliseconds)
        assert main(["load"]) == 0
        before = query(duckdb_warehouse, "select * from bronze.campaigns order by id")
        capsys.readouterr()

        # when the API starts sending that field as an ISO timestamp string
        def retyped(**settings: Any) -> LinkedInClient:
            return LinkedInClient(**settings, transport=_RetypedCampaigns())

        monkeypatch.setattr(source_package, "LinkedInClient", retyped)
        code = main(["load"])
        failure = capsys.readouterr().err
        after_failure = query(duckdb_warehouse, "select * from bronze.campaigns order by id")

        # and when the API goes back to the documented type, the next run loads again
        monkeypatch.setattr(source_package, "LinkedInClient", LinkedInClient)
        recovered = main(["load"])
    ledger.add_fault("field type change")

    # then the load fails with one line naming the table, the column and the frozen contract
    err = failure
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == EXIT_API_REFUSED
    assert len(errors) == 1, err
    assert "Traceback" not in err
    assert "campaigns" in errors[0]
    assert "change_audit_stamps__created__time" in errors[0]
    assert "frozen" in errors[0]
    # ... and bronze is as it was
    assert after_failure == before
    # ... and the failed run does not block the next one (its package is not replayed)
    assert recovered == 0
    assert query(duckdb_warehouse, "select count(*) from bronze._dlt_loads") == [(2,)]
