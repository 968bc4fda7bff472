"""Helpers of the end-to-end tests: load the sandbox into a warehouse and read it back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import psycopg2

from ingest import pipeline
from ingest.pipeline import LoadResult, Warehouse


def source_args(sandbox: Any, **settings: Any) -> dict[str, Any]:
    """Source settings that point the source at a running sandbox."""
    return {
        "base_url": sandbox.base_url,
        "oauth_url": sandbox.oauth_url,
        "access_token": sandbox.access_token,
        "refresh_token": sandbox.refresh_token,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        **settings,
    }


def load(warehouse: Warehouse, sandbox: Any, **settings: Any) -> LoadResult:
    return pipeline.load(warehouse, source_args(sandbox, **settings))


def query(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    if warehouse.target == "duckdb":
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()
    with psycopg2.connect(**warehouse.pg) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def table_exists(warehouse: Warehouse, schema: str, table: str) -> bool:
    rows = query(
        warehouse,
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{table}'",
    )
    return rows[0][0] > 0


def count(warehouse: Warehouse, table: str) -> int:
    return query(warehouse, f"select count(*) from {table}")[0][0]


def duplicate_keys(warehouse: Warehouse, table: str, keys: Sequence[str]) -> int:
    columns = ", ".join(keys)
    return query(
        warehouse,
        f"select count(*) from (select {columns} from {table} group by {columns} "
        "having count(*) > 1) as duplicates",
    )[0][0]
