"""The chaos suite's ledger and its fault-free reference run.

The ledger adds up, over every chaos test of the session, the faults injected, the retries and
token refreshes the client made, the gold rows lost (expected rows missing or different) and the
duplicate keys in bronze and gold. It prints them at the end of the session and fails the
session when rows were lost or keys duplicated, even if a test forgot to assert it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.chaos.helpers import (
    DAILY_TABLES,
    ChaosLedger,
    CleanRun,
    build_gold,
    daily_rows,
    duplicates,
    start_date,
)
from tests.support.env import scrub_settings
from tests.support.gold import gold_columns, snapshot
from tests.support.sandbox import load

_LEDGER = pytest.StashKey[ChaosLedger]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_LEDGER] = ChaosLedger()


def pytest_sessionfinish(session: pytest.Session) -> None:
    ledger = session.config.stash.get(_LEDGER, None)
    if ledger is not None and ledger.failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    ledger = config.stash.get(_LEDGER, None)
    if ledger is None or not (ledger.comparisons or ledger.faults):
        return
    terminalreporter.section("chaos report")
    for line in ledger.lines():
        terminalreporter.write_line(line)
    if ledger.failed:
        terminalreporter.write_line("FAILED: rows were lost or keys duplicated", red=True)


@pytest.fixture
def ledger(request: pytest.FixtureRequest) -> ChaosLedger:
    return request.config.stash[_LEDGER]


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CleanRun]:
    """One fault-free load and build of the chaos window, shared by every chaos test."""
    folder = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as monkeypatch:
        scrub_settings(monkeypatch, folder / "pipelines")  # isolated_settings is function-scoped
        warehouse = Warehouse.from_env({"WAREHOUSE_PATH": str(folder / "clean.duckdb")})
        with run_sandbox(SandboxConfig()) as sandbox:
            settings = {"start_date": start_date(sandbox)}
            result = load(warehouse, sandbox, **settings)
        build_gold(warehouse)
        found = duplicates(warehouse)
        assert not found, f"the fault-free run itself has duplicate keys: {found}"
        yield CleanRun(
            gold=snapshot(warehouse),
            columns=gold_columns(warehouse),
            daily={table: daily_rows(warehouse, table) for table in DAILY_TABLES},
            requests=dict(result.stats.requests),
            settings=settings,
        )
