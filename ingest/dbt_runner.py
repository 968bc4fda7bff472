"""dbt on the warehouse: build, source freshness and the warnings of the last build.

dbt runs as a subprocess of this virtualenv's `dbt` against the warehouse's target, with the
source's attribution window (the daily facts re-read as many days as the source does).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dlt
from dlt.common.schema.utils import get_columns_names_with_prop

from ingest import lake, sync_log
from ingest.linkedin_ads import settings
from ingest.linkedin_ads.config import SETTING_PREFIX, parse_int
from ingest.warehouse import ROOT, Warehouse, build_pipeline

DBT_PROJECT_DIR = ROOT / "dbt_project"
STDERR_FD = 2

logger = logging.getLogger("ingest")


def dbt(warehouse: Warehouse, *args: str, check: bool = True, unit_tests: bool = False) -> int:
    """Run one dbt command on the project against the warehouse's target; its output goes to
    stderr (stdout is the summary's). Returns dbt's exit code; raises DbtError unless `check`
    is off.

    `dbt build` leaves out dbt's unit tests unless `unit_tests` is on: they check the models'
    logic on fixed fixture rows, not the data, so they belong to the test suite (tests/e2e runs
    them), not to every run, where each adds seconds whatever the data (dbt's own advice)."""
    sync_log.ensure(warehouse)  # a dbt source, even before the first recorded run
    executable = Path(sys.executable).with_name("dbt")
    skip_unit_tests = args[:1] == ("build",) and not unit_tests
    command = [
        str(executable),
        *args,
        *(["--exclude-resource-type", "unit_test"] if skip_unit_tests else []),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(ROOT),
        "--target",
        warehouse.target,
    ]
    logger.info("running: dbt %s --target %s", " ".join(args), warehouse.target)
    # The daily facts re-read as many days as the source does, unless dbt's lookback_days is set.
    env = {
        **warehouse.dbt_env(),
        f"{SETTING_PREFIX}ATTRIBUTION_WINDOW_DAYS": str(attribution_window_days()),
    }
    if warehouse.target == "spark":
        env["LAKE_BRONZE_TABLES"] = lake.bronze_tables(warehouse, natural_keys(warehouse))
    # dbt's log goes to the process's stderr (file descriptor 2), keeping stdout for the summary
    # (`--json`). The descriptor, not sys.stderr: a replaced sys.stderr may have no descriptor.
    result = subprocess.run(command, env=env, cwd=ROOT, check=False, stdout=STDERR_FD)
    if check and result.returncode != 0:
        raise DbtError(f"dbt {args[0]} failed (exit {result.returncode}); its output is above")
    return result.returncode


def natural_keys(warehouse: Warehouse) -> dict[str, list[str]]:
    """Bronze tables and their primary keys, from dlt's schema (restored from the destination
    when this machine has no local pipeline state)."""
    pipeline = build_pipeline(warehouse)
    if not pipeline.default_schema_name:
        pipeline.sync_destination()
    if not pipeline.default_schema_name:
        return {}
    return {
        table["name"]: get_columns_names_with_prop(table, "primary_key")
        for table in pipeline.default_schema.data_tables()
    }


class DbtError(RuntimeError):
    """dbt exited non-zero."""


def attribution_window_days() -> int:
    """The source's attribution window as configured (its default when nothing sets it)."""
    value = dlt.config.get("sources.linkedin_ads.attribution_window_days")
    if value is None:
        return settings.DEFAULT_ATTRIBUTION_WINDOW_DAYS
    return parse_int("ATTRIBUTION_WINDOW_DAYS", value, 0, 365)


def source_freshness(warehouse: Warehouse) -> dict[str, str]:
    """`dbt source freshness` on bronze: status per stale table (warn or error), nothing when
    every table is fresh. Reported, never failing the run: a table can age on valid data (an
    account without delivery is not re-read)."""
    output = DBT_PROJECT_DIR / "target" / "sources.json"  # the run holds the lock: ours
    output.unlink(missing_ok=True)
    dbt(warehouse, "source", "freshness", check=False)
    if not output.exists():
        return {"bronze": "dbt source freshness wrote no result (its output is above)"}
    results = json.loads(output.read_text()).get("results", [])
    stale = {}
    for result in results:
        table = "bronze." + result["unique_id"].rsplit(".", 1)[-1]
        if result["status"] != "pass":
            loaded = result.get("max_loaded_at") or "never"
            stale[table] = f"{result['status']} (last loaded {loaded})"
    return stale


def dbt_test_warnings(warehouse: Warehouse, examples: int = 3) -> list[str]:
    """One line per dbt test that warned in the last dbt build (its target/run_results.json, so
    call it before another dbt command), with its first failing rows when dbt stored them
    (store_failures): e.g. where creative totals fall short of campaign totals, and by how much."""
    output = DBT_PROJECT_DIR / "target" / "run_results.json"  # the run holds the lock: ours
    if not output.exists():
        return []
    lines = []
    for result in json.loads(output.read_text()).get("results", []):
        if result.get("status") != "warn":
            continue
        line = f"dbt test {result['unique_id'].split('.')[2]} warned: {result.get('failures')} rows"
        relation = result.get("relation_name")
        if relation and warehouse.target != "spark":  # Spark is read through dbt only
            sql = f"select * from {relation} limit {examples}"
            with build_pipeline(warehouse).sql_client() as client, client.execute_query(sql) as cur:
                names = [column[0] for column in cur.description]
                rows = cur.fetchall()
            for row in rows:
                pairs = (
                    f"{name}={value.normalize():f}"
                    if isinstance(value, Decimal)
                    else f"{name}={value}"
                    for name, value in zip(names, row, strict=True)
                )
                line += f"; {' '.join(pairs)}"
            line += f" (all in {relation})"
        lines.append(line)
    return lines
