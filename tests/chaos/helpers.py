"""Helpers of the chaos tests: the settings every run shares, gold and bronze comparisons, keys.

Every chaos run reads the same 35 days of the seeded sandbox (two calendar months, so monthly
demographic windows can be halved), so that one fault-free gold serves every comparison.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from ingest.linkedin_ads import SyncStats
from ingest.sandbox import SandboxStats
from ingest.warehouse import ROOT, Warehouse
from tests.support.dbt_project import build_without_tests
from tests.support.gold import Gold, gold_columns, snapshot
from tests.support.sandbox import source_env
from tests.support.warehouse import duplicate_keys, query, tables

START_DAYS_AGO = 35
MODELS = ROOT / "dbt_project" / "models"
# Every gold model's YAML: the marts' model files and the semantic layer's time spine.
GOLD_YML = [
    *sorted((MODELS / "marts").glob("_*models.yml")),
    MODELS / "semantic" / "_semantic__models.yml",
]

# Settings that make a faulted run fast but still really retry: a slow answer (1.5 s) outlives
# the 0.5 s timeout, backoff is capped at 0.2 s, and enough attempts that 20% faults never win.
FAST_RETRIES: dict[str, Any] = {"timeout": 0.5, "max_backoff": 0.2, "max_attempts": 10}

# Bronze natural keys (the merge keys of the resources).
BRONZE_KEYS: dict[str, tuple[str, ...]] = {
    "ad_accounts": ("id",),
    "campaign_groups": ("id",),
    "campaigns": ("id",),
    "creatives": ("id",),
    "posts": ("id",),
    "ad_analytics_by_campaign": ("pivot_value", "start_date"),
    "ad_analytics_by_creative": ("pivot_value", "start_date"),
    "conversions": ("id",),
    "ad_analytics_by_conversion": ("pivot_value", "breakdown_value", "start_date"),
    "ad_analytics_by_device": ("pivot_value", "breakdown_value", "start_date"),
    "_sync_runs": ("run_id",),
}
MEMBER_KEYS = ("campaign", "pivot_value", "start_date")
# A list field the API adds later (no json hint yet) still becomes a dlt child table.
CHILD_KEYS = ("_dlt_parent_id", "_dlt_list_idx")


def start_date(sandbox: Any) -> str:
    return (sandbox.today - timedelta(days=START_DAYS_AGO)).isoformat()


def build_gold(warehouse: Warehouse) -> None:
    """dbt build without dbt's own tests: the chaos tests compare gold row for row instead."""
    build_without_tests(warehouse)


# -- gold -----------------------------------------------------------------------------------
def project(
    rows: Iterable[tuple[Any, ...]],
    columns: Sequence[str],
    *,
    drop_columns: Iterable[str] = (),
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Counter[tuple[Any, ...]]:
    """Rows as a multiset, without `drop_columns` and only those `keep` accepts."""
    dropped = set(drop_columns)
    kept = [i for i, name in enumerate(columns) if name not in dropped]
    out: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        if keep is None or keep(dict(zip(columns, row, strict=True))):
            out[tuple(row[i] for i in kept)] += 1
    return out


@dataclass
class GoldDiff:
    """How a run's gold differs from the expected gold, per table."""

    lost: dict[str, int] = field(default_factory=dict)  # expected rows missing or different
    extra: dict[str, int] = field(default_factory=dict)  # rows that should not be there
    missing_tables: list[str] = field(default_factory=list)
    duplicates: dict[str, int] = field(default_factory=dict)  # keys held twice, bronze and gold

    @property
    def rows_lost(self) -> int:
        return sum(self.lost.values())

    @property
    def rows_extra(self) -> int:
        return sum(self.extra.values())

    def __bool__(self) -> bool:
        return bool(self.rows_lost or self.rows_extra or self.missing_tables or self.duplicates)

    def __str__(self) -> str:
        parts = [
            f"{table}: {n} expected rows missing or different" for table, n in self.lost.items()
        ]
        parts += [f"{table}: {n} unexpected rows" for table, n in self.extra.items()]
        parts += [f"{table}: table missing" for table in self.missing_tables]
        parts += [f"{table}: {n} keys held twice" for table, n in self.duplicates.items()]
        return "; ".join(parts) or "gold equal"


def diff_gold(
    expected: Gold,
    expected_columns: Mapping[str, Sequence[str]],
    actual: Gold,
    actual_columns: Mapping[str, Sequence[str]],
    *,
    drop_columns: Iterable[str] = (),
    drop_table_columns: Mapping[str, Iterable[str]] | None = None,
    keep: Callable[[str, dict[str, Any]], bool] | None = None,
) -> GoldDiff:
    """Compare two gold snapshots as multisets, table by table.

    `drop_columns` (in every table) and `drop_table_columns` (per table) are left out on both
    sides; `keep` narrows the expected rows only, so a row
    the actual gold should not have counts as unexpected.
    """
    result = GoldDiff()
    for table, rows in expected.items():
        drop = (*drop_columns, *(drop_table_columns or {}).get(table, ()))
        if table not in actual:
            result.missing_tables.append(table)
            continue
        if list(expected_columns[table]) != list(actual_columns[table]):
            result.lost[table] = len(rows)  # a changed shape loses every row
            continue
        row_filter = (lambda row, table=table: keep(table, row)) if keep else None
        want = project(rows, expected_columns[table], drop_columns=drop, keep=row_filter)
        got = project(actual[table], actual_columns[table], drop_columns=drop)
        if lost := sum((want - got).values()):
            result.lost[table] = lost
        if extra := sum((got - want).values()):
            result.extra[table] = extra
    return result


def gold_keys() -> dict[str, tuple[str, ...]]:
    """Each gold model's grain, read from its YAML (a unique column or column set)."""
    models = [model for path in GOLD_YML for model in yaml.safe_load(path.read_text())["models"]]
    keys: dict[str, tuple[str, ...]] = {}
    for model in models:
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination_of_columns" in test:
                spec = test["unique_combination_of_columns"]
                keys[model["name"]] = tuple(
                    (spec.get("arguments") or spec)["combination_of_columns"]
                )
                break
        else:
            for column in model.get("columns") or []:
                if "unique" in (column.get("data_tests") or column.get("tests") or []):
                    keys[model["name"]] = (column["name"],)
                    break
    return keys


# -- duplicates -----------------------------------------------------------------------------
def duplicates(warehouse: Warehouse) -> dict[str, int]:
    """Keys held more than once, per table, over every bronze and gold table that exists."""
    existing = query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('bronze', 'gold') and table_name not like '\\_dlt%' escape '\\'",
    )
    keys = gold_keys()
    found: dict[str, int] = {}
    for schema, table in existing:
        if schema == "gold":
            key = keys.get(table)
        elif "__" in table:
            key = CHILD_KEYS
        elif table.startswith("ad_analytics_by_member_"):
            key = MEMBER_KEYS
        else:
            key = BRONZE_KEYS.get(table)
        assert key, f"no key known for {schema}.{table}"
        if count := duplicate_keys(warehouse, f"{schema}.{table}", key):
            found[f"{schema}.{table}"] = count
    return found


# -- bronze ---------------------------------------------------------------------------------
DAILY_TABLES = ("ad_analytics_by_campaign", "ad_analytics_by_creative")
DAILY_COLUMNS = "pivot_value, start_date, impressions, clicks, cost_in_local_currency"


def daily_rows(warehouse: Warehouse, table: str) -> set[tuple[Any, ...]]:
    """The daily analytics rows of a bronze table (key and a few metrics); none where no load
    wrote the table yet (a run stopped before any of its windows completed)."""
    if table not in tables(warehouse, "bronze"):
        return set()
    return set(query(warehouse, f"select {DAILY_COLUMNS} from bronze.{table}"))


# -- the load process as a subprocess -------------------------------------------------------
def cli_env(sandbox: Any, warehouse: Warehouse) -> dict[str, str]:
    """The environment of `python -m ingest` pointed at a sandbox and a warehouse."""
    env = dict(os.environ)
    env.update(
        **source_env(sandbox, start_date=start_date(sandbox)),
        RUNTIME__DLTHUB_TELEMETRY="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        **{key: value for key, value in warehouse.dbt_env().items() if key.startswith("PG")},
        WAREHOUSE_TARGET=warehouse.target,
        WAREHOUSE_PATH=str(warehouse.duckdb_path),
    )
    return env


@dataclass
class Cli:
    """`python -m <module> <args>` in its own process group, its output in a file; the module is
    the CLI's (`ingest`) or one that runs it (killed_mid_load.py)."""

    args: Sequence[str]
    env: Mapping[str, str]
    log: Path
    module: str = "ingest"
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Cli:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args],
                env=dict(self.env),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a kill also reaches a running dbt
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process group this Cli started (the CLI and any dbt it spawned)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait(self, timeout: float = 300) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def run_cli(args: Sequence[str], env: Mapping[str, str], log: Path, timeout: float = 300) -> int:
    return Cli(args, env, log).start().wait(timeout)


def wait_until(condition: Callable[[], bool], cli: Cli, timeout: float = 120) -> bool:
    """Poll `condition` every 5 ms while the CLI runs; True when it held before the CLI ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if not cli.running():
            return False
        time.sleep(0.005)
    return False


# -- the ledger and the reference run ------------------------------------------------------
@dataclass
class ChaosLedger:
    faults: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    refreshes: int = 0
    rows_lost: int = 0
    rows_extra: int = 0
    duplicates: int = 0
    comparisons: int = 0
    problems: list[str] = field(default_factory=list)

    def record_sandbox(self, stats: SandboxStats) -> None:
        """Faults a sandbox injected over its life, and the 401s and 403s it answered on purpose."""
        self.faults.update(stats.faults)
        for status, kind in ((401, "401 expired token"), (403, "403 forbidden account")):
            self.faults[kind] += stats.by_status.get(status, 0)

    def record_client(self, stats: SyncStats) -> None:
        """Retries and token refreshes one run's client made."""
        if stats.api is not None:
            self.retries += stats.api.retries
            self.refreshes += stats.api.refreshes

    def add_fault(self, kind: str, count: int = 1) -> None:
        self.faults[kind] += count

    def record_gold(self, test: str, diff: GoldDiff) -> None:
        self.comparisons += 1
        self.rows_lost += diff.rows_lost
        self.rows_extra += diff.rows_extra
        self.duplicates += sum(diff.duplicates.values())
        if diff:
            self.problems.append(f"{test}: {diff}")

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items()) if n)
        return [
            f"faults injected: {sum(self.faults.values())} ({kinds or 'none'})",
            f"retries made:    {self.retries} (and {self.refreshes} token refreshes)",
            f"rows lost:       {self.rows_lost} (must be 0; {self.comparisons} gold comparisons, "
            f"{self.rows_extra} unexpected rows)",
            f"duplicates:      {self.duplicates} (must be 0)",
            *(f"problem: {problem}" for problem in self.problems),
        ]

    @property
    def failed(self) -> bool:
        return self.rows_lost > 0 or self.duplicates > 0


@dataclass(frozen=True)
class CleanRun:
    """The fault-free reference: gold, its columns, daily bronze rows and request counts."""

    gold: Gold
    columns: dict[str, list[str]]
    daily: dict[str, set[tuple[Any, ...]]]
    requests: dict[str, int]
    settings: dict[str, Any]


def check_gold(
    test: str,
    ledger: ChaosLedger,
    clean: CleanRun,
    warehouse: Warehouse,
    **diff_options: Any,
) -> GoldDiff:
    """Diff the warehouse's gold against the clean run, count duplicate keys, record both."""
    diff = diff_gold(
        clean.gold, clean.columns, snapshot(warehouse), gold_columns(warehouse), **diff_options
    )
    diff.duplicates = duplicates(warehouse)
    ledger.record_gold(test, diff)
    return diff
