"""Read a warehouse from a test, the same way on DuckDB, Postgres and Spark (a Thrift server at
SPARK_HOST:SPARK_PORT)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import psycopg2

from ingest.warehouse import Warehouse


def query(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    if warehouse.target == "spark":
        from pyhive import hive

        connection = hive.connect(
            host=os.environ.get("SPARK_HOST", "127.0.0.1"),
            port=int(os.environ.get("SPARK_PORT", "10000")),
            username="tests",
        )
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            kinds = [column[1] for column in cursor.description or []]
            return [
                tuple(_from_thrift(kind, value) for kind, value in zip(kinds, row, strict=True))
                for row in cursor.fetchall()
            ]
        finally:
            connection.close()
    if warehouse.target == "duckdb":
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()
    with psycopg2.connect(**warehouse.pg) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def _from_thrift(kind: str, value: Any) -> Any:
    """Thrift sends decimals, dates and timestamps as text: the Python values the others give."""
    if value is None or not isinstance(value, str):
        return value
    if kind == "DECIMAL_TYPE":
        return Decimal(value)
    if kind == "DATE_TYPE":
        return date.fromisoformat(value)
    if kind == "TIMESTAMP_TYPE":
        return datetime.fromisoformat(value)
    return value


def tables(warehouse: Warehouse, schema: str) -> list[str]:
    """Table and view names of a schema, sorted."""
    if warehouse.target == "spark":  # no information_schema in Spark's Hive catalog
        rows = query(warehouse, f"show tables in {schema}")
        return sorted(name for _, name, is_temporary in rows if not is_temporary)
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
    if warehouse.target == "spark":
        return sorted(name for (name,) in query(warehouse, f"show columns in {schema}.{table}"))
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
