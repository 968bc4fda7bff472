"""Crash safety: `python -m ingest` killed with SIGKILL in each phase, then run again.

The phases are seen from outside, in dlt's working folder (`<pipelines dir>/linkedin_ads`):
extract writes a temporary package under `normalize/<storage id>/`, normalize writes
`load/new/<load id>`, load moves the package to `load/normalized/<load id>` and its jobs to
`completed_jobs/`, and a loaded package ends in `load/loaded/<load id>` just before `run` starts
dbt. The sandbox answers slowly during the killed run so that extract lasts a few seconds. After
the kill a plain `python -m ingest run --no-docs` must exit 0 with gold equal to the fault-free
run and no key twice in bronze or gold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import Warehouse
from ingest.sandbox import SandboxConfig, run_sandbox
from tests.chaos.helpers import (
    ChaosLedger,
    CleanRun,
    Cli,
    check_gold,
    cli_env,
    run_cli,
    wait_until,
)

pytestmark = pytest.mark.chaos


def _dirs(work: Path, pattern: str) -> list[Path]:
    return [path for path in work.glob(pattern) if path.is_dir()] if work.exists() else []


def _files(folder: Path) -> int:
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def during_extract(work: Path, sandbox: Any) -> Callable[[], bool]:
    """A third of the adAnalytics calls answered, nothing extracted completely yet."""

    def reached() -> bool:
        return (
            sandbox.stats.by_route.get("adAnalytics", 0) >= 90
            and not _dirs(work, "normalize/extracted/*")
            and not _dirs(work, "load/*/*")
        )

    return reached


def during_normalize(work: Path, sandbox: Any) -> Callable[[], bool]:
    """Normalize has started writing the load package, which is not yet handed to load."""
    return lambda: bool(_dirs(work, "load/new/*")) and not _dirs(work, "load/normalized/*")


def during_load(work: Path, sandbox: Any) -> Callable[[], bool]:
    """Some of the package's jobs are loaded, others not yet."""

    def reached() -> bool:
        return any(
            _files(package / "completed_jobs") >= 2
            and (_files(package / "new_jobs") + _files(package / "started_jobs")) > 0
            for package in _dirs(work, "load/normalized/*")
        )

    return reached


def between_load_and_dbt(work: Path, sandbox: Any) -> Callable[[], bool]:
    """The package is loaded; `run` is about to start dbt."""
    return lambda: bool(_dirs(work, "load/loaded/*"))


PHASES = {
    "extract": during_extract,
    "normalize": during_normalize,
    "load": during_load,
    "between load and dbt": between_load_and_dbt,
}


def crash_and_recover(
    phase: str,
    warehouse: Warehouse,
    clean_run: CleanRun,
    ledger: ChaosLedger,
    logs: Path,
) -> None:
    work = warehouse.pipelines_dir() / "linkedin_ads"
    with run_sandbox(SandboxConfig(latency_ms=40)) as sandbox:
        env = cli_env(sandbox, warehouse)
        # given a run of the main job (slowed down by a sandbox that answers in 40 ms)
        cli = Cli(["run", "--no-docs"], env, logs / "killed.log").start()
        # when it is killed with SIGKILL at the phase aimed at
        reached = PHASES[phase](work, sandbox)
        landed = False
        try:
            landed = wait_until(reached, cli)
        finally:
            if cli.running():
                cli.kill()
        assert landed, f"the run ended before reaching {phase}:\n{cli.output()[-3000:]}"
        assert cli.process is not None
        assert cli.process.returncode == -9
        ledger.add_fault(f"SIGKILL during {phase}")

        # then the next run, against a sandbox answering at full speed, succeeds ...
        sandbox.configure(latency_ms=0)
        code = run_cli(["run", "--no-docs"], env, logs / "rerun.log")
        output = (logs / "rerun.log").read_text(errors="replace")
        assert code == 0, output[-5000:]
        ledger.retries += output.count("retrying ")

    # ... and gold equals the fault-free gold, with no key twice in bronze or gold
    diff = check_gold(f"SIGKILL during {phase}", ledger, clean_run, warehouse)
    assert not diff, diff


@pytest.mark.parametrize("phase", list(PHASES))
def test_run_killed_during_a_phase_recovers_on_the_next_run(
    phase: str,
    clean_run: CleanRun,
    duckdb_warehouse: Warehouse,
    ledger: ChaosLedger,
    tmp_path: Path,
) -> None:
    crash_and_recover(phase, duckdb_warehouse, clean_run, ledger, tmp_path)


@pytest.mark.postgres
def test_run_killed_while_loading_into_postgres_recovers_on_the_next_run(
    clean_run: CleanRun,
    postgres_warehouse: Warehouse,
    ledger: ChaosLedger,
    tmp_path: Path,
) -> None:
    crash_and_recover("load", postgres_warehouse, clean_run, ledger, tmp_path)
