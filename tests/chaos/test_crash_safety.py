"""Crash safety: `python -m ingest` killed with SIGKILL in each phase, then run again.

The phases are seen from outside through dlt's public pipeline API on the same working folder:
while extracting no package is extracted yet, an extracted package waits for normalize, a
normalized one is being loaded (some of its jobs completed, others not), and a completed package
means `run` is about to start dbt. The sandbox answers slowly during the killed run so that
extract lasts a few seconds. After the kill a plain `python -m ingest run --no-docs` must exit 0
with gold equal to the fault-free run and no key twice in bronze or gold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import pytest
from dlt.common.storages.exceptions import LoadPackageNotFound

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse, build_pipeline
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


def during_extract(watch: dlt.Pipeline, sandbox: Any) -> Callable[[], bool]:
    """A third of the adAnalytics calls answered, nothing extracted completely yet."""

    def reached() -> bool:
        return (
            sandbox.stats.by_route.get("adAnalytics", 0) >= 90
            and not watch.list_extracted_load_packages()
            and not watch.list_normalized_load_packages()
        )

    return reached


def during_normalize(watch: dlt.Pipeline, sandbox: Any) -> Callable[[], bool]:
    """The package is extracted and not yet handed to load."""
    return lambda: (
        bool(watch.list_extracted_load_packages()) and not (watch.list_normalized_load_packages())
    )


def during_load(watch: dlt.Pipeline, sandbox: Any) -> Callable[[], bool]:
    """Some of the package's jobs are loaded, others not yet."""

    def reached() -> bool:
        for load_id in watch.list_normalized_load_packages():
            try:
                jobs = watch.get_load_package_info(load_id).jobs
            except (OSError, LoadPackageNotFound):  # the package moved on while being read
                continue
            if len(jobs.get("completed_jobs", [])) >= 2 and (
                jobs.get("new_jobs") or jobs.get("started_jobs")
            ):
                return True
        return False

    return reached


def between_load_and_dbt(watch: dlt.Pipeline, sandbox: Any) -> Callable[[], bool]:
    """The package is loaded; `run` is about to start dbt."""
    return lambda: bool(watch.list_completed_load_packages())


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
    # The same working folder as the CLI's pipeline, opened before the CLI starts.
    watch = build_pipeline(warehouse)
    with run_sandbox(SandboxConfig(latency_ms=40)) as sandbox:
        # dlt loads the package's jobs one at a time, so that a kill can land between two of them
        env = {**cli_env(sandbox, warehouse), "LOAD__WORKERS": "1"}
        # given a run of the main job (slowed down by a sandbox that answers in 40 ms)
        cli = Cli(["run", "--no-docs"], env, logs / "killed.log").start()
        # when it is killed with SIGKILL at the phase aimed at
        reached = PHASES[phase](watch, sandbox)
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
