"""Read a warehouse from a test, the same way on DuckDB and Postgres."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import psycopg2

from ingest.warehouse import Warehouse


def query(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    if warehouse.target == "duckdb":
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()
    with psycopg2.connect(**warehouse.pg) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def tables(warehouse: Warehouse, schema: str) -> list[str]:
    """Table and view names of a schema, sorted."""
    return [
        name
        for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables "
            f"where table_schema = '{schema}' order by table_name",
        )
    ]


def columns(warehouse: Warehouse, schema: str, table: str) -> list[str]:
    """Column names of a table, sorted by name."""
    return [
        name
        for (name,) in query(
            warehouse,
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' order by column_name",
        )
    ]


def count(warehouse: Warehouse, table: str) -> int:
    return query(warehouse, f"select count(*) from {table}")[0][0]


def duplicate_keys(warehouse: Warehouse, table: str, keys: Sequence[str]) -> int:
    """How many key values `table` holds more than once."""
    key = ", ".join(keys)
    return query(
        warehouse,
        f"select count(*) from (select {key} from {table} group by {key} "
        "having count(*) > 1) as duplicates",
    )[0][0]
