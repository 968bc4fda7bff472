"""The sync log (`bronze._sync_runs`, one row per run) and the warehouse's origin.

A run is recorded from the moment it is about to write (settings valid, the API answered, the
origin allowed) to its end: success, stopped (the daily quota) or failed, with the API it read,
requests, rows per table and warnings (JSON text), and why it stopped. A run killed before it
recorded its end stays `running` until the next run, which holds the lock and so knows it is
dead, marks it failed.

The origin of a warehouse is the API of the newest run that completed a load (`loaded`), else,
when none did (a first run killed mid-load), of the newest run recorded: the built-in sandbox
(`is_sandbox`) or a real API. Sandbox data and real data never mix: a run whose
origin differs is refused before it writes, unless it starts over (`--full-refresh`).

Plain DB-API (duckdb, psycopg2), the same SQL on both engines; the table is created if missing.
On Spark the log is Parquet in the lake (ingest/lake.py): each change appends the run's row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ingest import lake
from ingest.linkedin_ads.config import ConfigError

if TYPE_CHECKING:
    from ingest.warehouse import Warehouse

SCHEMA = "bronze"
TABLE = "_sync_runs"
START_OVER = "--full-refresh"
DIED = "the process ended before it recorded its end (killed or crashed)"

CREATE = f"""
create table if not exists {SCHEMA}.{TABLE} (
    run_id varchar(36) not null,
    command varchar(16) not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar(16) not null,
    api_base_url text not null,
    is_sandbox boolean not null,
    full_refresh boolean not null,
    loaded boolean not null,
    api_requests bigint,
    rows_loaded text,
    warnings text,
    stopped_reason text
)
"""


def _now() -> datetime:
    """UTC, without a zone: the `timestamp` columns hold UTC on both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def _connect(warehouse: Warehouse, *, read_only: bool = False) -> Iterator[Any]:
    """A DB-API cursor on the warehouse, committed on success."""
    if warehouse.target == "duckdb":
        import duckdb

        with duckdb.connect(str(warehouse.duckdb_path), read_only=read_only) as connection:
            yield connection
        return
    import psycopg2

    connection = psycopg2.connect(connect_timeout=5, **warehouse.pg)
    try:
        with connection, connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def _execute(cursor: Any, warehouse: Warehouse, sql: str, params: Sequence[Any] = ()) -> None:
    cursor.execute(sql if warehouse.target == "duckdb" else sql.replace("?", "%s"), tuple(params))


def ensure(warehouse: Warehouse) -> None:
    """Create bronze and the sync log table when missing (dbt reads it as a source)."""
    if warehouse.target == "spark":
        lake.ensure_sync_runs(warehouse)
        return
    with _connect(warehouse) as cursor:
        cursor.execute(f"create schema if not exists {SCHEMA}")
        cursor.execute(CREATE)


@dataclass(frozen=True)
class Origin:
    """Where a warehouse's data came from."""

    has_data: bool
    is_sandbox: bool | None  # None: data, but no run recorded a load (an older warehouse)
    api_base_url: str | None


def origin(warehouse: Warehouse) -> Origin:
    """Read the warehouse's origin without writing (a missing DuckDB file is a new warehouse)."""
    if warehouse.target == "duckdb" and not warehouse.duckdb_path.exists():
        return Origin(False, None, None)
    if warehouse.target == "spark":
        recorded = lake.sync_runs(warehouse)
        loaded = [row for row in recorded if row["loaded"]] or recorded
        last = loaded[-1] if loaded else None
        return Origin(
            lake.has_data(warehouse),
            None if last is None else bool(last["is_sandbox"]),
            None if last is None else last["api_base_url"],
        )
    with _connect(warehouse, read_only=True) as cursor:
        _execute(
            cursor,
            warehouse,
            "select table_name from information_schema.tables where table_schema = ?",
            (SCHEMA,),
        )
        names = {name for (name,) in cursor.fetchall()}
        has_data = False
        for name in sorted(names):
            if name.startswith("_"):
                continue
            cursor.execute(f'select 1 from {SCHEMA}."{name}" limit 1')
            if cursor.fetchone():
                has_data = True
                break
        if TABLE not in names:
            return Origin(has_data, None, None)
        cursor.execute(
            f"select is_sandbox, api_base_url from {SCHEMA}.{TABLE} "
            "order by loaded desc, started_at desc limit 1"
        )
        row = cursor.fetchone()
    if row is None:
        return Origin(has_data, None, None)
    return Origin(has_data, bool(row[0]), row[1])


def check_origin(
    warehouse: Warehouse, *, is_sandbox: bool, base_url: str, start_over: bool
) -> bool:
    """Refuse, before anything is written, to mix sandbox and real data in one warehouse.

    True when the run starts over on data of the other kind (the caller drops it all)."""
    found = origin(warehouse)
    if not found.has_data:
        return False
    # Sandbox data goes only where sandbox data is; real data anywhere but onto sandbox data
    # (a warehouse whose loads were never recorded is taken as real: it predates the log).
    crossing = found.is_sandbox is not True if is_sandbox else found.is_sandbox is True
    if start_over or not crossing:
        return crossing
    if is_sandbox:
        source = f"a real API ({found.api_base_url})" if found.api_base_url else "an unrecorded API"
        raise ConfigError(
            f"SOURCES__LINKEDIN_ADS__ACCESS_TOKEN: not set, so this run would load the built-in "
            f"sandbox's demo data into {warehouse.label}, which holds data from {source}; set the "
            f"token, or point WAREHOUSE_PATH/PGDATABASE at another warehouse (or start over with "
            f"{START_OVER})"
        )
    raise ConfigError(
        f"{START_OVER}: {warehouse.label} holds demo data from the built-in sandbox; run "
        f"`python -m ingest run {START_OVER}` once to drop it and load {base_url} from scratch"
    )
    return False


@dataclass
class RunRecord:
    """One run's row in the sync log, written at its start and updated at its end."""

    warehouse: Warehouse
    command: str
    api_base_url: str
    is_sandbox: bool
    full_refresh: bool
    run_id: str = ""
    started_at: datetime | None = None
    loaded: bool = False

    def _row(self, status: str) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "started_at": self.started_at,
            "status": status,
            "api_base_url": self.api_base_url,
            "is_sandbox": self.is_sandbox,
            "full_refresh": self.full_refresh,
            "loaded": self.loaded,
        }

    def start(self) -> None:
        self.run_id, self.started_at = str(uuid.uuid4()), _now()
        if self.warehouse.target == "spark":
            dead = [
                {**row, "status": "failed", "stopped_reason": DIED}
                for row in lake.sync_runs(self.warehouse)
                if row["status"] == "running"
            ]
            lake.append_sync_runs(self.warehouse, [*dead, self._row("running")])
            return
        ensure(self.warehouse)
        with _connect(self.warehouse) as cursor:
            # This run holds the lock: a row still `running` belongs to a run that died.
            _execute(
                cursor,
                self.warehouse,
                f"update {SCHEMA}.{TABLE} set status = 'failed', stopped_reason = ? "
                "where status = 'running'",
                (DIED,),
            )
            _execute(
                cursor,
                self.warehouse,
                f"insert into {SCHEMA}.{TABLE} (run_id, command, started_at, status, "
                "api_base_url, is_sandbox, full_refresh, loaded) values (?, ?, ?, 'running', ?, ?, "
                "?, false)",
                (
                    self.run_id,
                    self.command,
                    self.started_at,
                    self.api_base_url,
                    self.is_sandbox,
                    self.full_refresh,
                ),
            )

    def finish(
        self,
        status: str,
        *,
        api_requests: int | None = None,
        rows: Mapping[str, int] | None = None,
        warnings: Sequence[str] = (),
        reason: str | None = None,
    ) -> datetime:
        finished_at = _now()
        if self.warehouse.target == "spark":
            row = {
                **self._row(status),
                "finished_at": finished_at,
                "api_requests": api_requests,
                "rows_loaded": json.dumps(dict(sorted((rows or {}).items()))),
                "warnings": json.dumps(list(warnings)),
                "stopped_reason": reason,
            }
            lake.append_sync_runs(self.warehouse, [row])
            return finished_at
        with _connect(self.warehouse) as cursor:
            _execute(
                cursor,
                self.warehouse,
                f"update {SCHEMA}.{TABLE} set finished_at = ?, status = ?, loaded = ?, "
                "api_requests = ?, rows_loaded = ?, warnings = ?, stopped_reason = ? "
                "where run_id = ?",
                (
                    finished_at,
                    status,
                    self.loaded,
                    api_requests,
                    json.dumps(dict(sorted((rows or {}).items()))),
                    json.dumps(list(warnings)),
                    reason,
                    self.run_id,
                ),
            )
        return finished_at
