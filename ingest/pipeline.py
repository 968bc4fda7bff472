"""A run: under the warehouse's lock, load bronze from the API (or the built-in sandbox), then dbt.

The only module (with the CLI) that runs anything. The warehouse and its dlt pipeline are in
`warehouse`, dbt in `dbt_runner`, the summary in `summary`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
from dlt.pipeline.exceptions import PipelineStepFailed

from ingest import run_lock, sync_log
from ingest.dbt_runner import dbt, dbt_test_warnings, source_freshness
from ingest.linkedin_ads import ARROW_TABLES, ConfigError, SyncStats, linkedin_ads
from ingest.linkedin_ads.analytics import TruncatedAnalyticsError
from ingest.linkedin_ads.errors import LinkedInError
from ingest.summary import RunSummary, gold_counts
from ingest.warehouse import PIPELINE_NAME, Warehouse, build_pipeline

logger = logging.getLogger("ingest")

# Failures the user can act on: one line, no traceback (the CLI maps them to exit codes).
EXPECTED_ERRORS = (ConfigError, LinkedInError, TruncatedAnalyticsError, run_lock.WarehouseBusy)


@dataclass
class LoadResult:
    warehouse: Warehouse
    rows: dict[str, int]
    stats: SyncStats
    api_requests: int
    loaded_through: dict[str, str] = field(default_factory=dict)  # account id -> last day


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
    return_freed_memory()
    pipeline = build_pipeline(warehouse)
    # File formats per table (a run-wide `loader_file_format` would override them): Arrow
    # tables as parquet or csv, written as they are; lists of dicts as jsonl or csv.
    for resource in source.resources.values():
        arrow = resource.name in ARROW_TABLES
        resource.apply_hints(
            file_format=warehouse.arrow_file_format if arrow else warehouse.loader_file_format
        )
        if warehouse.target == "spark":
            # Plain Parquet files cannot merge (dlt would fall back, warning per table): append,
            # keeping the primary key, which dbt resolves (macros/lake_bronze.sql).
            resource.apply_hints(write_disposition="append")
    try:
        pipeline.run(
            source,
            refresh="drop_sources" if full_refresh else None,
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
    if warehouse.target != "spark":
        for table, keys in repair_duplicate_keys(pipeline).items():
            stats.warn(
                f"{table}: {keys:,} keys were loaded twice (a load replayed after a crash); "
                "kept the latest row of each"
            )
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


M_ARENA_MAX = -8  # glibc's malloc.h
TRIM_EVERY_SECONDS = 1.0
_trim_lock = threading.Lock()
_trim_thread: threading.Thread | None = None  # once per process


def return_freed_memory() -> None:
    """Allocators that give freed memory back, so that the process holds about one window's
    responses rather than its high water mark: Arrow on the system allocator (its default,
    mimalloc, kept what the largest responses used), at most two glibc arenas (one per request
    thread kept theirs), and the arenas' free pages handed back to the system every second
    (`malloc_trim`: glibc keeps what responses freed inside its heaps, 150 to 250 MB of free
    space at bench size M). Bench M: the ingest peak went from 823 to 551 MB."""
    pa.set_memory_pool(pa.system_memory_pool())
    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name) if libc_name else None
    mallopt = getattr(libc, "mallopt", None)
    malloc_trim = getattr(libc, "malloc_trim", None)
    if mallopt is None or malloc_trim is None:  # not glibc (musl, macOS): nothing to bound
        return
    mallopt(M_ARENA_MAX, 2)
    global _trim_thread
    with _trim_lock:
        if _trim_thread is None:
            _trim_thread = threading.Thread(
                target=_trim_forever, args=(malloc_trim,), name="malloc-trim", daemon=True
            )
            _trim_thread.start()


def _trim_forever(malloc_trim: Any) -> None:
    while True:
        time.sleep(TRIM_EVERY_SECONDS)
        malloc_trim(0)


def repair_duplicate_keys(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Keep one row per key in the bronze tables whose staging rows dlt merges as they are.

    Their readers yield each key once, but a load killed after a COPY into staging committed
    replays that file, and the merge then inserts its rows twice. The check is one grouping of
    the keys per table (a fraction of a second at bench size L on DuckDB); the repair runs only
    where it finds a key twice, keeping the row of the latest load. Returns table -> keys
    repaired."""
    repaired: dict[str, int] = {}
    schema = pipeline.default_schema
    with pipeline.sql_client() as client:
        for table in schema.data_tables(seen_data_only=True):
            if not table.get("x-stage-data-deduplicated"):
                continue
            name = client.make_qualified_table_name(table["name"])
            keys = ", ".join(
                client.escape_column_name(column)
                for column, hints in table["columns"].items()
                if hints.get("primary_key")
            )
            twice = f"select {keys} from {name} group by {keys} having count(*) > 1"
            count = client.execute_sql(f"select count(*) from ({twice}) as twice")[0][0]
            if not count:
                continue
            kept = client.make_qualified_table_name("_repaired_keys")
            with client.begin_transaction():
                client.execute_sql(f"drop table if exists {kept}")
                client.execute_sql(
                    f"create table {kept} as select distinct on ({keys}) * from {name} "
                    f"where ({keys}) in ({twice}) order by {keys}, _dlt_load_id desc"
                )
                client.execute_sql(
                    f"delete from {name} where ({keys}) in (select {keys} from {kept})"
                )
                client.execute_sql(f"insert into {name} select * from {kept}")
                client.execute_sql(f"drop table {kept}")
            repaired[f"{pipeline.dataset_name}.{table['name']}"] = count
    return repaired


def build(*, full_refresh: bool = False) -> int:
    """dbt build (silver and gold) on the loaded warehouse, with the source's settings."""
    warehouse = Warehouse.from_env()
    warehouse.check()
    with run_lock.hold(warehouse):
        dbt(warehouse, "build", *(["--full-refresh"] if full_refresh else []))
    return 0


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


def drop_derived(warehouse: Warehouse) -> None:
    """Drop silver and gold (snapshot history included) before starting over on other data."""
    if warehouse.target == "spark":  # only Spark reaches its catalog: through dbt
        dbt(warehouse, "run-operation", "drop_derived_schemas")
        return
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
                # Spark's catalog is dbt's alone (one process on its metastore): not counted.
                gold = gold_counts(warehouse) if warehouse.target != "spark" else None
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
