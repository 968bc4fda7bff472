"""Production runs: sandbox and real data never mix in one warehouse, every run that writes is in
the sync log, `--json` for schedulers, and two concurrent runs leave the gold of one."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest import run_lock, sync_log
from ingest.__main__ import EXIT_BAD_SETTINGS, EXIT_BUSY, EXIT_OK, EXIT_STOPPED, main
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import ROOT, Warehouse
from tests.support.dbt_project import build
from tests.support.gold import snapshot
from tests.support.sandbox import load, source_env
from tests.support.warehouse import count, query

pytestmark = pytest.mark.e2e

DAYS = 6  # a short window keeps the runs quick; the rules do not depend on it


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


def start_date(sandbox: Any) -> str:
    return (sandbox.today - timedelta(days=DAYS)).isoformat()


def use(monkeypatch: pytest.MonkeyPatch, warehouse: Warehouse, **env: str) -> None:
    monkeypatch.setenv("WAREHOUSE_TARGET", warehouse.target)
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse.duckdb_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def in_use(monkeypatch: pytest.MonkeyPatch, duckdb_warehouse: Warehouse) -> Warehouse:
    """The warehouse `python -m ingest` runs on in this test."""
    use(monkeypatch, duckdb_warehouse)
    return duckdb_warehouse


def use_real_api(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    """A token and BASE_URL: an API this run did not start counts as a real API."""
    for key, value in source_env(sandbox, start_date=start_date(sandbox)).items():
        monkeypatch.setenv(key, value)


def use_builtin_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    """No token: python -m ingest serves its own sandbox."""
    for key in ("ACCESS_TOKEN", "BASE_URL", "OAUTH_URL"):
        monkeypatch.delenv(f"SOURCES__LINKEDIN_ADS__{key}", raising=False)
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__START_DATE", start_date(sandbox))


def bronze_state(warehouse: Warehouse) -> tuple[int, int, int]:
    return (
        count(warehouse, "bronze._dlt_loads"),
        count(warehouse, "bronze.ad_analytics_by_campaign"),
        count(warehouse, "bronze._sync_runs"),
    )


def runs(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return query(
        warehouse,
        "select status, is_sandbox, loaded, api_base_url, stopped_reason, started_at, "
        "finished_at from bronze._sync_runs order by started_at",
    )


def only_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    return errors[0]


def test_sandbox_data_is_refused_by_a_warehouse_holding_real_data(
    sandbox: Any,
    in_use: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a warehouse loaded from a real API (a token and a BASE_URL)
    use_real_api(monkeypatch, sandbox)
    assert main(["load"]) == EXIT_OK
    before = bronze_state(in_use)
    capsys.readouterr()

    # when a run without a token would serve the built-in sandbox into it
    use_builtin_sandbox(monkeypatch, sandbox)
    code = main(["load"])

    # then it exits 2 with one line naming the token and the start-over setting, writing nothing
    error = only_error(capsys)
    assert code == EXIT_BAD_SETTINGS
    assert error.startswith("error: SOURCES__LINKEDIN_ADS__ACCESS_TOKEN: not set")
    assert sandbox.base_url in error
    assert "--full-refresh" in error
    assert bronze_state(in_use) == before


def test_a_first_run_killed_mid_load_does_not_make_the_warehouse_foreign(
    sandbox: Any,
    in_use: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a warehouse whose only run wrote bronze and was killed before it recorded its load
    use_builtin_sandbox(monkeypatch, sandbox)
    assert main(["load"]) == EXIT_OK
    with duckdb.connect(str(in_use.duckdb_path)) as con:
        con.execute("update bronze._sync_runs set loaded = false, status = 'running'")
    capsys.readouterr()

    # when the same job runs again, it is not refused as data of another API
    assert main(["load"]) == EXIT_OK
    assert "data from the built-in sandbox" in capsys.readouterr().out
    # while a real API's run still is
    use_real_api(monkeypatch, sandbox)
    with duckdb.connect(str(in_use.duckdb_path)) as con:
        con.execute("update bronze._sync_runs set loaded = false")
    assert main(["load"]) == EXIT_BAD_SETTINGS
    assert only_error(capsys).startswith("error: --full-refresh: ")


def test_real_data_starts_over_on_a_sandbox_warehouse_only_when_told(
    sandbox: Any,
    in_use: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a warehouse holding the built-in sandbox's demo data
    use_builtin_sandbox(monkeypatch, sandbox)
    assert main(["load"]) == EXIT_OK
    assert "data from the built-in sandbox" in capsys.readouterr().out
    before = bronze_state(in_use)

    # when a real API's run comes without --full-refresh, it is refused before writing
    use_real_api(monkeypatch, sandbox)
    assert main(["load"]) == EXIT_BAD_SETTINGS
    assert only_error(capsys).startswith("error: --full-refresh: ")
    assert bronze_state(in_use) == before

    # and with --full-refresh the warehouse starts over on the real API
    assert main(["load", "--full-refresh"]) == EXIT_OK
    assert f"data from the API at {sandbox.base_url}" in capsys.readouterr().out
    origin = sync_log.origin(in_use)
    assert (origin.is_sandbox, origin.api_base_url) == (False, sandbox.base_url)
    assert [(status, is_sandbox) for status, is_sandbox, *_ in runs(in_use)] == [
        ("success", True),
        ("success", False),
    ]
    # after which sandbox data is refused again
    use_builtin_sandbox(monkeypatch, sandbox)
    assert main(["load"]) == EXIT_BAD_SETTINGS


def test_stopped_and_failed_runs_are_in_the_sync_log(
    duckdb_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_sandbox(SandboxConfig()) as api:
        use(monkeypatch, duckdb_warehouse)
        use_real_api(monkeypatch, api)
        # a run the daily quota stops, then one whose token expires mid-run (no refresh set)
        api.configure(daily_quota_calls=12)
        assert main(["load"]) == EXIT_STOPPED
        api.configure(daily_quota_calls=None, token_expires_after_calls=api.stats.requests + 8)
        assert main(["load"]) != EXIT_OK

    (stopped, failed) = runs(duckdb_warehouse)
    assert stopped[:3] == ("stopped", False, True)
    assert "DAY" in stopped[4]
    assert failed[:2] == ("failed", False)
    assert "401" in failed[4] or "ACCESS_TOKEN" in failed[4]
    assert all(started <= finished for *_, started, finished in (stopped, failed))


def cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "ingest", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
        )


def locked(warehouse: Warehouse) -> bool:
    """True while another process holds the warehouse's run lock."""
    if warehouse.target == "postgres":
        try:
            with run_lock.hold(warehouse, timeout=0):
                return False
        except run_lock.WarehouseBusy:
            return True
    fd = os.open(run_lock.lock_path(warehouse), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, duckdb_warehouse: Warehouse) -> Warehouse:
    if request.param == "duckdb":
        return duckdb_warehouse
    return request.getfixturevalue("postgres_warehouse")


def test_two_concurrent_runs_never_interleave_and_leave_the_gold_of_one(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    with run_sandbox(SandboxConfig(latency_ms=20)) as api:
        env = {
            **os.environ,
            **source_env(api, start_date=start_date(api)),
            **{key: value for key, value in warehouse.dbt_env().items() if key.startswith("PG")},
            "WAREHOUSE_TARGET": warehouse.target,
            "WAREHOUSE_PATH": str(warehouse.duckdb_path),
        }
        # given a run holding the warehouse
        first = cli(["run", "--no-docs", "--json"], env, tmp_path / "first.log")
        deadline_polls = 0
        while not locked(warehouse) and first.poll() is None and deadline_polls < 6000:
            deadline_polls += 1
            subprocess.run(["sleep", "0.02"], check=True)
        assert first.poll() is None, "the first run ended before the test saw its lock"

        # when a second run that does not wait starts, and a third that waits 10 minutes
        busy = cli(["run", "--no-docs", "--json"], env, tmp_path / "busy.log")
        busy_out, _ = busy.communicate(timeout=120)
        waiting = cli(
            ["run", "--no-docs", "--json"],
            {**env, "WAREHOUSE_LOCK_TIMEOUT": "600"},
            tmp_path / "waiting.log",
        )
        first_out, _ = first.communicate(timeout=900)
        waiting_out, _ = waiting.communicate(timeout=900)

        # then the one that does not wait exits 4 with one line, as text and as JSON
        busy_errors = [
            line
            for line in (tmp_path / "busy.log").read_text().splitlines()
            if line.startswith("error:")
        ]
        assert busy.returncode == EXIT_BUSY
        assert len(busy_errors) == 1
        assert "WAREHOUSE_LOCK_TIMEOUT" in busy_errors[0]
        assert json.loads(busy_out) == {
            "status": "failed",
            "exit_code": EXIT_BUSY,
            "error": busy_errors[0].removeprefix("error: "),
        }
        # and the other two both succeed, one after the other, each summarised as JSON
        assert first.returncode == EXIT_OK, (tmp_path / "first.log").read_text()[-3000:]
        assert waiting.returncode == EXIT_OK, (tmp_path / "waiting.log").read_text()[-3000:]
        summaries = [json.loads(first_out), json.loads(waiting_out)]
        for summary in summaries:
            assert summary["status"] == "success"
            assert summary["api"] == {"base_url": api.base_url, "is_sandbox": False}
            # per serving account: test accounts (`test: true`) cannot serve and are not read
            serving = {str(a["id"]) for a in api.truth.accounts if not a["test"]}
            assert set(summary["loaded_through"]) == serving
            assert summary["gold_rows"]["sync_runs"] >= 1
            assert summary["freshness"] == {}
        logged = query(
            warehouse,
            "select run_id, status, started_at, finished_at from bronze._sync_runs "
            "order by started_at",
        )
        assert [row[:2] for row in logged] == [(s["run_id"], "success") for s in summaries]
        assert logged[0][3] <= logged[1][2]  # the second started after the first ended

        # and gold equals the gold of one run
        reference = Warehouse.from_env({"WAREHOUSE_PATH": str(tmp_path / "reference.duckdb")})
        load(reference, api, start_date=start_date(api))
        build(reference)
    assert snapshot(warehouse) == snapshot(reference)
    freshness = query(warehouse, "select account_id, last_loaded_day from gold.account_freshness")
    assert {account for account, _ in freshness} == {a["id"] for a in api.truth.accounts}
