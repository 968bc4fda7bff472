"""Crash safety: `python -m ingest` killed with SIGKILL in each phase, then run again.

The phases are seen from outside through dlt's public pipeline API on the same working folder:
while extracting no package is extracted yet, an extracted package waits for normalize, a
normalized one is being loaded (some of its jobs completed, others not), and a completed package
means `run` is about to start dbt. The sandbox answers slowly during the killed run so that
extract lasts a few seconds. After the kill a plain `python -m ingest run --no-docs` must exit 0
with gold equal to the fault-free run and no key twice in bronze or gold.

On Spark's lake the load is killed while it writes the Parquet files (by the load itself, after
its second file: killed_mid_load.py says why) and `python -m ingest load` reruns it (gold on
Spark is the cluster test's): bronze as dbt reads it there, the latest-load-per-key views
evaluated by Spark, must equal a fault-free load's, key for key and row for row.
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
    diff_gold,
    run_cli,
    start_date,
    wait_until,
)
from tests.chaos.lake import LOAD_COLUMNS, bronze_views, read_bronze, require_spark
from tests.support.sandbox import load

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


# One account: the lake's load has as many files (one per table) at any size, and Spark's time
# goes to its JVM and per-query cost, not to data.
SMALL = SandboxConfig(accounts=1, campaigns=4, creatives=12, days=60)
# `python -m ingest` that kills itself once N of its load's jobs completed (its docstring: why).
KILLED_MID_LOAD = "tests.chaos.killed_mid_load"


@pytest.mark.spark
def test_load_killed_while_writing_the_lake_recovers_on_the_next_load(
    ledger: ChaosLedger, tmp_path: Path
) -> None:
    require_spark()
    lakes = {
        name: Warehouse.from_env({"WAREHOUSE_TARGET": "spark", "LAKE_URL": str(tmp_path / name)})
        for name in ("clean", "killed")
    }
    killed = lakes["killed"]
    watch = build_pipeline(killed)
    with run_sandbox(SMALL) as sandbox:
        # given a fault-free load of the sandbox into one lake
        load(lakes["clean"], sandbox, start_date=start_date(sandbox))
        # and a load into another, one Parquet file at a time
        env = {**cli_env(sandbox, killed), "LAKE_URL": killed.lake_url, "LOAD__WORKERS": "1"}
        # when it is killed with SIGKILL after two of the files are written, before the others
        cli = Cli(["2", "load"], env, tmp_path / "killed.log", module=KILLED_MID_LOAD).start()
        assert cli.wait() == -9, f"the load was not killed:\n{cli.output()[-3000:]}"
        assert during_load(watch, sandbox)(), "the killed load left no half-loaded package"
        ledger.add_fault("SIGKILL while loading the lake")
        # then the next load succeeds (dlt finishes the killed load's files), and so does the one
        # after it, which reads the API again and appends what it re-reads to the lake
        for rerun in ("rerun", "next"):
            code = run_cli(["load"], env, tmp_path / f"{rerun}.log")
            output = (tmp_path / f"{rerun}.log").read_text(errors="replace")
            assert code == 0, output[-5000:]

    # and bronze as dbt reads it on Spark (the views evaluated by Spark) equals the fault-free
    # load's, every key once
    views = {name: bronze_views(warehouse) for name, warehouse in lakes.items()}
    clean, recovered = read_bronze([views["clean"], views["killed"]], tmp_path / "spark")
    assert clean, "the fault-free lake has no bronze table"
    found = {name: n for name, table in clean.items() if (n := table.duplicate_keys())}
    assert not found, f"the fault-free load itself has duplicate keys: {found}"
    diff = diff_gold(
        {name: table.rows for name, table in clean.items()},
        {name: table.columns for name, table in clean.items()},
        {name: table.rows for name, table in recovered.items()},
        {name: table.columns for name, table in recovered.items()},
        drop_columns=LOAD_COLUMNS,
    )
    diff.extra.update(
        {name: len(table.rows) for name, table in recovered.items() if name not in clean}
    )
    diff.duplicates = {
        f"bronze.{name}": n for name, table in recovered.items() if (n := table.duplicate_keys())
    }
    ledger.record_gold("SIGKILL while loading the lake", diff)
    assert not diff, diff
