"""Builds the dlt pipeline for a warehouse target, loads bronze, runs dbt and prints a summary.

The only module (with the CLI) that runs anything. `WAREHOUSE_TARGET` picks the engine (duckdb,
the default, or postgres through the standard PG* variables); `WAREHOUSE_PATH` the DuckDB file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination
from dlt.destinations.impl.postgres.configuration import PostgresCredentials
from dlt.pipeline.exceptions import PipelineStepFailed

from ingest.linkedin_ads import ConfigError, SyncStats, linkedin_ads, settings
from ingest.linkedin_ads.config import SETTING_PREFIX, parse_int

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = ROOT / "dbt_project"
PIPELINE_NAME = "linkedin_ads"
DATASET = "bronze"
TARGETS = ("duckdb", "postgres")

logger = logging.getLogger("ingest")


@dataclass(frozen=True)
class Warehouse:
    """Where bronze, silver and gold live: a DuckDB file or a Postgres database."""

    target: str
    duckdb_path: Path
    pg: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Warehouse:
        env = os.environ if env is None else env
        target = env.get("WAREHOUSE_TARGET", "").strip() or "duckdb"
        if target not in TARGETS:
            raise ConfigError(f"WAREHOUSE_TARGET: {target!r} is not a target (duckdb or postgres)")
        path = Path(env.get("WAREHOUSE_PATH", "").strip() or "warehouse.duckdb")
        pg = {
            "host": env.get("PGHOST") or "127.0.0.1",
            "port": env.get("PGPORT") or "5432",
            "user": env.get("PGUSER") or "postgres",
            "password": env.get("PGPASSWORD") or "",
            "dbname": env.get("PGDATABASE") or "postgres",
        }
        return cls(target, (ROOT / path).resolve() if not path.is_absolute() else path, pg)

    @property
    def label(self) -> str:
        if self.target == "duckdb":
            return f"duckdb {self.duckdb_path}"
        return f"postgres {self.pg['user']}@{self.pg['host']}:{self.pg['port']}/{self.pg['dbname']}"

    def check(self) -> None:
        """Fail with one line when the warehouse cannot be reached, before anything runs."""
        if self.target == "duckdb":
            if not self.duckdb_path.parent.is_dir():
                raise ConfigError(
                    f"WAREHOUSE_PATH: folder {self.duckdb_path.parent} does not exist"
                )
            return
        import psycopg2

        try:
            psycopg2.connect(connect_timeout=5, **self.pg).close()
        except psycopg2.Error as error:
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise ConfigError(
                f"WAREHOUSE_TARGET=postgres: cannot connect to {self.label} (PGHOST, PGPORT, "
                f"PGUSER, PGPASSWORD, PGDATABASE): {reason}"
            ) from None

    def destination(self) -> Destination[Any, Any]:
        if self.target == "duckdb":
            # 63 like Postgres, so that long nested table names come out the same on both.
            return dlt.destinations.duckdb(str(self.duckdb_path), max_identifier_length=63)
        credentials = PostgresCredentials()
        credentials.host, credentials.port = self.pg["host"], int(self.pg["port"])
        credentials.username, credentials.database = self.pg["user"], self.pg["dbname"]
        credentials.password = self.pg["password"]
        # Resolved as given: an empty PGPASSWORD is valid (trust or peer authentication),
        # which dlt's own resolution would report as a missing field.
        credentials.resolve()
        # No unique index on _dlt_id: a load killed after a COPY committed replays that file
        # on the next run, and the index would fail the replay forever (merge dedups it).
        return dlt.destinations.postgres(credentials=credentials, create_indexes=False)

    @property
    def loader_file_format(self) -> str:
        """Bulk formats: DuckDB reads jsonl, Postgres COPYs csv (3x faster, a seventh of the
        memory of dlt's default INSERT statements)."""
        return "jsonl" if self.target == "duckdb" else "csv"

    def pipelines_dir(self) -> Path:
        """dlt's working folder, one per warehouse, so local state never crosses warehouses."""
        digest = hashlib.sha256(self.label.encode()).hexdigest()[:12]
        base = Path(os.environ.get("INGEST_PIPELINES_DIR") or ROOT / ".dlt" / "pipelines")
        return base / f"{self.target}-{digest}"

    def dbt_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            WAREHOUSE_TARGET=self.target,
            WAREHOUSE_PATH=str(self.duckdb_path),
            PGHOST=self.pg["host"],
            PGPORT=self.pg["port"],
            PGUSER=self.pg["user"],
            PGPASSWORD=self.pg["password"],
            PGDATABASE=self.pg["dbname"],
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        return env


@dataclass
class LoadResult:
    warehouse: Warehouse
    rows: dict[str, int]
    stats: SyncStats
    api_requests: int


def build_pipeline(warehouse: Warehouse) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=warehouse.destination(),
        dataset_name=DATASET,
        pipelines_dir=str(warehouse.pipelines_dir()),
    )


def load(
    warehouse: Warehouse,
    source_args: Mapping[str, Any] | None = None,
    *,
    full_refresh: bool = False,
) -> LoadResult:
    """Run the source into bronze. Settings not in `source_args` come from dlt's config."""
    warehouse.check()
    stats = SyncStats()
    # Calling the source validates the settings and lists the accounts: bad input fails here,
    # before the pipeline writes anything.
    source = linkedin_ads(**dict(source_args or {}), stats=stats)
    pipeline = build_pipeline(warehouse)
    try:
        pipeline.run(
            source,
            refresh="drop_sources" if full_refresh else None,
            loader_file_format=warehouse.loader_file_format,
            # New fields load as new columns; a field whose type changes fails the load with the
            # column's name instead of growing a variant column.
            schema_contract={"tables": "evolve", "columns": "evolve", "data_type": "freeze"},
        )
    except PipelineStepFailed as failed:
        if failed.step in ("extract", "normalize"):
            # Nothing of this run reached the warehouse. Forget its package and local state, so
            # the next run restores state from the warehouse and re-reads, instead of replaying
            # a package that failed (a frozen type change would fail every run after it).
            pipeline.drop()
        raise
    trace = pipeline.last_trace
    row_counts = dict(trace.last_normalize_info.row_counts) if trace.last_normalize_info else {}
    rows = {table: count for table, count in row_counts.items() if not table.startswith("_dlt")}
    return LoadResult(
        warehouse=warehouse,
        rows=rows,
        stats=stats,
        api_requests=stats.api.requests if stats.api else 0,
    )


def dbt(warehouse: Warehouse, *args: str) -> None:
    """Run one dbt command on the project against the warehouse's target."""
    executable = Path(sys.executable).with_name("dbt")
    command = [
        str(executable),
        *args,
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
    result = subprocess.run(command, env=env, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise DbtError(f"dbt {args[0]} failed (exit {result.returncode}); its output is above")


class DbtError(RuntimeError):
    """dbt exited non-zero."""


def attribution_window_days() -> int:
    """The source's attribution window as configured (its default when nothing sets it)."""
    value = dlt.config.get("sources.linkedin_ads.attribution_window_days")
    if value is None:
        return settings.DEFAULT_ATTRIBUTION_WINDOW_DAYS
    return parse_int("ATTRIBUTION_WINDOW_DAYS", value, 0, 365)


def build(*, full_refresh: bool = False) -> int:
    """dbt build (silver and gold) on the loaded warehouse, with the source's settings."""
    warehouse = Warehouse.from_env()
    warehouse.check()
    dbt(warehouse, "build", *(["--full-refresh"] if full_refresh else []))
    return 0


@contextmanager
def api_settings() -> Iterator[dict[str, Any]]:
    """Source settings for this run: the configured API, or the built-in sandbox without a token."""
    if dlt.secrets.get("sources.linkedin_ads.access_token"):
        yield {}
        return
    base_url = dlt.config.get("sources.linkedin_ads.base_url")
    if base_url:
        raise ConfigError(
            "SOURCES__LINKEDIN_ADS__ACCESS_TOKEN: not set, but SOURCES__LINKEDIN_ADS__BASE_URL "
            f"points at {base_url}; set the token (or unset BASE_URL to use the built-in sandbox)"
        )
    from ingest.sandbox import SandboxConfig, run_sandbox

    logger.info("no SOURCES__LINKEDIN_ADS__ACCESS_TOKEN: serving the built-in sandbox API")
    with run_sandbox(SandboxConfig()) as sandbox:
        yield sandbox_source_args(sandbox)


def sandbox_source_args(sandbox: Any) -> dict[str, Any]:
    """Source settings that point the source at a running sandbox."""
    keys = ("base_url", "oauth_url", "access_token", "refresh_token", "client_id", "client_secret")
    return {key: getattr(sandbox, key) for key in keys}


def gold_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows per gold table, for the summary."""
    with build_pipeline(warehouse).sql_client() as client:
        tables = client.execute_sql(
            "select table_name from information_schema.tables where table_schema = 'gold' "
            "order by table_name"
        )
        return {
            name: client.execute_sql(f'select count(*) from gold."{name}"')[0][0]
            for (name,) in tables
        }


def summary(result: LoadResult, gold: Mapping[str, int] | None, seconds: float) -> str:
    stats = result.stats
    lines = [
        "",
        "LinkedIn Ads load summary",
        f"  from {stats.base_url} into {result.warehouse.label}",
        "  bronze rows loaded this run:",
    ]
    lines += [f"    {table:<46} {count:>9,}" for table, count in sorted(result.rows.items())]
    analytics = sum(stats.requests.values())
    lower = sum(stats.lower_bound(table) for table in stats.requests if "member" not in table)
    daily = sum(count for table, count in stats.requests.items() if "member" not in table)
    lines.append(
        f"  API requests: {result.api_requests:,} ({analytics:,} adAnalytics; daily tables "
        f"{daily:,} against a lower bound of {lower:,}; {stats.split_windows} windows split)"
    )
    if gold is not None:
        lines.append("  gold tables:")
        lines += [f"    {table:<46} {count:>9,}" for table, count in gold.items()]
    for warning in stats.warnings:
        lines.append(f"  warning: {warning}")
    lines.append(f"  elapsed: {seconds:.1f} s")
    return "\n".join(lines)


def run(*, full_refresh: bool = False, build: bool = True, docs: bool = True) -> int:
    """The main job: load bronze, then (with `build`) dbt build and docs; print the summary.

    Returns the exit code: 1 when the run stopped early (a daily quota)."""
    started = time.monotonic()
    warehouse = Warehouse.from_env()
    with api_settings() as source_args:
        result = load(warehouse, source_args, full_refresh=full_refresh)
    gold = None
    if build and result.stats.stopped_by is None:
        dbt(warehouse, "build", *(["--full-refresh"] if full_refresh else []))
        if docs:
            dbt(warehouse, "docs", "generate", "--static")
        gold = gold_counts(warehouse)
    print(summary(result, gold, time.monotonic() - started))
    if result.stats.stopped_by:
        print(f"error: run stopped early: {result.stats.stopped_by}", file=sys.stderr)
        return 1
    return 0
