"""The lake of WAREHOUSE_TARGET=spark: bronze as Parquet folders under `LAKE_URL/bronze/` (dlt's),
and the sync log in `LAKE_URL/_sync_runs/`.

Parquet is append-only: dlt appends each load's rows (its merge falls back to append on plain
files), and dbt registers every folder in Spark's catalog as a view that keeps the latest load per
natural key (macros/lake_bronze.sql). This module lists those folders with their keys for dbt,
and keeps the sync log there (one row appended per change of a run; the latest row per run wins).
Any URL that dlt's filesystem destination reads works (fsspec: a local folder, s3://, gs://, ...).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

if TYPE_CHECKING:
    from ingest.warehouse import Warehouse

BRONZE = "bronze"
SYNC_RUNS = "_sync_runs"
# The sync log's columns (the same as the table ingest/sync_log.py creates on the other engines),
# plus the time each row was written: the latest row of a run is its state.
SYNC_RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("command", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("api_base_url", pa.string()),
        ("is_sandbox", pa.bool_()),
        ("full_refresh", pa.bool_()),
        ("loaded", pa.bool_()),
        ("api_requests", pa.int64()),
        ("rows_loaded", pa.string()),
        ("warnings", pa.string()),
        ("stopped_reason", pa.string()),
        ("recorded_at_ns", pa.int64()),
    ]
)


def _folder(warehouse: Warehouse, table: str) -> tuple[Any, str]:
    """A bronze table's folder; the sync log's is beside dlt's dataset folder, not in it (dlt
    owns that folder: it creates it on the first load and drops its tables on a refresh)."""
    fs, root = url_to_fs(warehouse.lake_url)
    if table == SYNC_RUNS:
        return fs, f"{root.rstrip('/')}/{SYNC_RUNS}"
    return fs, f"{root.rstrip('/')}/{BRONZE}/{table}"


def _parquet_files(fs: Any, folder: str) -> list[str]:
    return sorted(fs.glob(f"{folder}/*.parquet")) if fs.exists(folder) else []


def has_data(warehouse: Warehouse) -> bool:
    """Whether any bronze table (dlt's and the sync log aside) holds a row."""
    fs, root = _folder(warehouse, "")
    if not fs.exists(root):
        return False
    for folder in sorted(fs.ls(root, detail=False)):
        if folder.rstrip("/").rsplit("/", 1)[-1].startswith("_"):
            continue
        for path in _parquet_files(fs, folder.rstrip("/")):
            with fs.open(path, "rb") as file:
                if pq.ParquetFile(file).metadata.num_rows:
                    return True
    return False


def sync_runs(warehouse: Warehouse) -> list[dict[str, Any]]:
    """The sync log: the latest row of each run, oldest run first."""
    fs, folder = _folder(warehouse, SYNC_RUNS)
    latest: dict[str, dict[str, Any]] = {}
    for path in _parquet_files(fs, folder):
        with fs.open(path, "rb") as file:
            for row in pq.read_table(file).to_pylist():
                kept = latest.get(row["run_id"])
                if kept is None or row["recorded_at_ns"] > kept["recorded_at_ns"]:
                    latest[row["run_id"]] = row
    return sorted(latest.values(), key=lambda row: row["started_at"])


def append_sync_runs(warehouse: Warehouse, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append rows (each a whole run's state) to the sync log as one Parquet file; no rows
    writes an empty file, so that the folder, and its table for dbt, exist before any run."""
    fs, folder = _folder(warehouse, SYNC_RUNS)
    fs.makedirs(folder, exist_ok=True)
    recorded = time.time_ns()
    table = pa.Table.from_pylist(
        [{**row, "recorded_at_ns": recorded} for row in rows], schema=SYNC_RUNS_SCHEMA
    )
    with fs.open(f"{folder}/{recorded}.parquet", "wb") as file:
        pq.write_table(table, file)


def ensure_sync_runs(warehouse: Warehouse) -> None:
    """An empty sync log file when the folder has none (dbt reads it as a source)."""
    fs, folder = _folder(warehouse, SYNC_RUNS)
    if not _parquet_files(fs, folder):
        append_sync_runs(warehouse, [])


def bronze_tables(warehouse: Warehouse, keys: Mapping[str, Sequence[str]]) -> str:
    """The bronze folders for dbt (JSON: table -> location, natural key and the column that
    orders loads), for the tables that have files; `keys` are the natural keys of dlt's schema."""
    fs, root = _folder(warehouse, "")
    tables: dict[str, dict[str, Any]] = {}
    for table, key in sorted(keys.items()):
        if _parquet_files(fs, f"{root.rstrip('/')}/{table}"):
            location = f"{warehouse.lake_url}/{BRONZE}/{table}"
            tables[table] = {"location": location, "key": list(key), "order": "_dlt_load_id"}
    if _parquet_files(*_folder(warehouse, SYNC_RUNS)):
        tables[SYNC_RUNS] = {
            "location": f"{warehouse.lake_url}/{SYNC_RUNS}",
            "key": ["run_id"],
            "order": "recorded_at_ns",
        }
    return json.dumps(tables)
