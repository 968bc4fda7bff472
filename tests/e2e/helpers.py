"""Helpers of the end-to-end tests: load the sandbox into a warehouse and read it back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
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


HISTORY_TIME_COLUMNS = {
    "valid_from",
    "valid_to",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_updated_at",
}


def gold(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    """Every gold table's rows, sorted and comparable across engines and runs.

    Decimals and floats are compared at 9 decimal places (engines differ in the last digits of a
    division); snapshot timestamps (when a run happened) are left out.
    """
    tables = [
        name
        for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'gold' "
            "and table_type in ('BASE TABLE', 'VIEW') order by table_name",
        )
    ]
    snapshot = {}
    for table in tables:
        columns = [
            name
            for (name,) in query(
                warehouse,
                "select column_name from information_schema.columns where table_schema = 'gold' "
                f"and table_name = '{table}' order by column_name",
            )
            if name not in HISTORY_TIME_COLUMNS
        ]
        rows = query(warehouse, f"select {', '.join(columns)} from gold.{table}")
        snapshot[table] = sorted((tuple(_comparable(v) for v in row) for row in rows), key=repr)
    return snapshot


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        return Decimal(value).quantize(Decimal("1e-9")).normalize() + 0
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC)
    return value


def build(warehouse: Warehouse, *args: str) -> None:
    """dbt build on the warehouse (silver and gold)."""
    pipeline.dbt(warehouse, "build", *args)
