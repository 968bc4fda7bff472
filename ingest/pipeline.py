"""Builds the dlt pipeline for a warehouse target, loads bronze, runs dbt and prints a summary.

The only module (with the CLI) that runs anything. `WAREHOUSE_TARGET` picks the engine (duckdb,
the default, or postgres through the standard PG* variables); `WAREHOUSE_PATH` the DuckDB file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination
from dlt.destinations.impl.postgres.configuration import PostgresCredentials
from dlt.pipeline.exceptions import PipelineStepFailed

from ingest import run_lock, sync_log
from ingest.linkedin_ads import ConfigError, SyncStats, linkedin_ads, settings
from ingest.linkedin_ads.analytics import TruncatedAnalyticsError
from ingest.linkedin_ads.config import SETTING_PREFIX, parse_int
from ingest.linkedin_ads.errors import LinkedInError

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = ROOT / "dbt_project"
PIPELINE_NAME = "linkedin_ads"
DATASET = "bronze"
TARGETS = ("duckdb", "postgres")

logger = logging.getLogger("ingest")

# Failures the user can act on: one line, no traceback (the CLI maps them to exit codes).
EXPECTED_ERRORS = (ConfigError, LinkedInError, TruncatedAnalyticsError, run_lock.WarehouseBusy)


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
    loaded_through: dict[str, str] = field(default_factory=dict)  # account id -> last day


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
    """Run the source into bronze. Settings not in `source_args` come from dlt's config.

    No lock, no sync log, no origin check: `run` adds them; tests call this directly."""
    warehouse.check()
    stats = SyncStats()
    # Calling the source validates the settings and lists the accounts: bad input fails here,
    # before the pipeline writes anything.
    source = linkedin_ads(**dict(source_args or {}), stats=stats)
    return load_source(warehouse, source, stats, full_refresh=full_refresh)


def load_source(
    warehouse: Warehouse, source: Any, stats: SyncStats, *, full_refresh: bool = False
) -> LoadResult:
    """Run an already validated source into bronze."""
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
    resources = pipeline.state.get("sources", {}).get(PIPELINE_NAME, {}).get("resources", {})
    through = resources.get("ad_analytics_by_campaign", {}).get("loaded_through", {})
    return LoadResult(
        warehouse=warehouse,
        rows=rows,
        stats=stats,
        api_requests=stats.api.requests if stats.api else 0,
        loaded_through=dict(sorted(through.items())),
    )


def dbt(warehouse: Warehouse, *args: str, check: bool = True) -> int:
    """Run one dbt command on the project against the warehouse's target; its output goes to
    stderr (stdout is the summary's). Returns dbt's exit code; raises DbtError unless `check`
    is off."""
    sync_log.ensure(warehouse)  # a dbt source, even before the first recorded run
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
    result = subprocess.run(command, env=env, cwd=ROOT, check=False, stdout=sys.stderr)
    if check and result.returncode != 0:
        raise DbtError(f"dbt {args[0]} failed (exit {result.returncode}); its output is above")
    return result.returncode


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
    with run_lock.hold(warehouse):
        dbt(warehouse, "build", *(["--full-refresh"] if full_refresh else []))
    return 0


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
        if relation := result.get("relation_name"):
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


@dataclass(frozen=True)
class Api:
    """The API a run reads: the source settings, and whether it is the built-in sandbox."""

    source_args: dict[str, Any]
    is_sandbox: bool


@contextmanager
def api_settings() -> Iterator[Api]:
    """Source settings for this run: the configured API, or the built-in sandbox without a token.

    Only the sandbox this function starts counts as the sandbox; any API given by a token and
    BASE_URL, another emulator included, is a real API."""
    if dlt.secrets.get("sources.linkedin_ads.access_token"):
        yield Api({}, is_sandbox=False)
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
        yield Api(sandbox_source_args(sandbox), is_sandbox=True)


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


@dataclass
class RunSummary:
    """What a run did, for the text summary and `--json`."""

    run_id: str
    status: str  # success or stopped (a failed run raises instead)
    api_base_url: str
    is_sandbox: bool
    warehouse: str
    started_at: datetime
    finished_at: datetime
    elapsed_seconds: float
    result: LoadResult
    gold: dict[str, int] | None
    freshness: dict[str, str]

    @property
    def api(self) -> str:
        """Which API the data came from, in words."""
        if self.is_sandbox:
            return f"the built-in sandbox at {self.api_base_url} (demo data, not LinkedIn's)"
        return f"the API at {self.api_base_url}"

    def text(self) -> str:
        result, stats = self.result, self.result.stats
        lines = [
            "",
            f"LinkedIn Ads load summary: {self.status}, data from {self.api}",
            f"  into {self.warehouse} (run {self.run_id})",
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
        if result.loaded_through:
            lines.append("  daily campaign analytics loaded through, per account:")
            lines += [
                f"    {account:<46} {day:>9}" for account, day in result.loaded_through.items()
            ]
        if self.gold is not None:
            lines.append("  gold tables:")
            lines += [f"    {table:<46} {count:>9,}" for table, count in self.gold.items()]
        for table, status in self.freshness.items():
            lines.append(f"  freshness: {table}: {status}")
        for warning in stats.warnings:
            lines.append(f"  warning: {warning}")
        if stats.stopped_by:
            lines.append(f"  stopped early: {stats.stopped_by}")
        lines.append(f"  elapsed: {self.elapsed_seconds:.1f} s")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        stats = self.result.stats
        return {
            "run_id": self.run_id,
            "status": self.status,
            "api": {"base_url": self.api_base_url, "is_sandbox": self.is_sandbox},
            "warehouse": self.warehouse,
            "started_at": self.started_at.isoformat() + "Z",
            "finished_at": self.finished_at.isoformat() + "Z",
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "api_requests": self.result.api_requests,
            "analytics_requests": dict(sorted(stats.requests.items())),
            "bronze_rows": dict(sorted(self.result.rows.items())),
            "loaded_through": self.result.loaded_through,
            "gold_rows": self.gold,
            "freshness": self.freshness,
            "warnings": list(stats.warnings),
            "stopped_by": stats.stopped_by,
        }


def drop_derived(warehouse: Warehouse) -> None:
    """Drop silver and gold (snapshot history included) before starting over on other data."""
    with build_pipeline(warehouse).sql_client() as client:
        for schema in ("gold", "silver"):
            client.execute_sql(f"drop schema if exists {schema} cascade")


def run(
    *, full_refresh: bool = False, build: bool = True, docs: bool = True, command: str = "run"
) -> RunSummary:
    """The main job under the warehouse's lock: check the origin, load bronze, then (with
    `build`) dbt build, docs and source freshness; every run that writes is in the sync log.

    Returns the summary; its status is `stopped` when the daily quota stopped the run."""
    started = time.monotonic()
    warehouse = Warehouse.from_env()
    warehouse.check()
    with run_lock.hold(warehouse), api_settings() as api:
        stats = SyncStats()
        # Validates the settings and lists the accounts: bad input fails before any write.
        source = linkedin_ads(**api.source_args, stats=stats)
        crossing = sync_log.check_origin(
            warehouse, is_sandbox=api.is_sandbox, base_url=stats.base_url, start_over=full_refresh
        )
        record = sync_log.RunRecord(
            warehouse, command, stats.base_url, api.is_sandbox, full_refresh
        )
        record.start()
        result: LoadResult | None = None
        try:
            if crossing:
                logger.warning(
                    "starting over: dropping silver, gold and bronze of %s", warehouse.label
                )
                drop_derived(warehouse)
            result = load_source(warehouse, source, stats, full_refresh=full_refresh)
            record.loaded = True
            gold, freshness = None, {}
            if build and stats.stopped_by is None:
                dbt(warehouse, "build", *(["--full-refresh"] if full_refresh or crossing else []))
                stats.warnings.extend(dbt_test_warnings(warehouse))
                if docs:
                    dbt(warehouse, "docs", "generate", "--static")
                gold = gold_counts(warehouse)
                freshness = source_freshness(warehouse)
        except BaseException as error:
            record.finish(
                "failed",
                api_requests=stats.api.requests if stats.api else None,
                rows=result.rows if result else None,
                warnings=stats.warnings,
                reason=one_line(error),
            )
            raise
        status = "stopped" if stats.stopped_by else "success"
        warnings = [*stats.warnings, *(f"freshness: {t}: {v}" for t, v in freshness.items())]
        finished_at = record.finish(
            status,
            api_requests=result.api_requests,
            rows=result.rows,
            warnings=warnings,
            reason=stats.stopped_by,
        )
    assert record.started_at is not None
    return RunSummary(
        run_id=record.run_id,
        status=status,
        api_base_url=stats.base_url,
        is_sandbox=api.is_sandbox,
        warehouse=warehouse.label,
        started_at=record.started_at,
        finished_at=finished_at,
        elapsed_seconds=time.monotonic() - started,
        result=result,
        gold=gold,
        freshness=freshness,
    )


def root_cause(error: BaseException) -> BaseException:
    """The exception that dlt wrapped while extracting, normalizing or loading."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, EXPECTED_ERRORS):
            return error
        inner = getattr(error, "exception", None) or error.__cause__ or error.__context__
        if inner is None:
            break
        error = inner
    return error


def one_line(error: BaseException) -> str:
    """The first line of the error's root cause, for the sync log."""
    cause = root_cause(error)
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__
