"""Bronze of a Spark lake as dbt reads it: each folder's latest-load-per-key view, with the SQL
that macros/lake_bronze.sql renders, evaluated by Spark in a session configured as dbt's (the
project's spark-defaults.conf, Hive catalog), started in a child process so that its JVM ends
with the read.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import pytest

from ingest import dbt_runner, lake
from ingest.warehouse import ROOT, Warehouse, build_pipeline, spark_env

LAKE_BRONZE_MACROS = ROOT / "dbt_project" / "macros" / "lake_bronze.sql"
# Columns that differ between two loads of the same data: which load wrote a row, and its id.
LOAD_COLUMNS = ("_dlt_load_id", "_dlt_id")


def require_spark() -> None:
    """Skip without pyspark or Java off CI (`make test` installs both); fail on CI."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "pyspark is missing: install the spark group (`uv sync --group spark`)"
    else:
        if shutil.which("java") or os.environ.get("JAVA_HOME"):
            return
        reason = "no Java (java on PATH or JAVA_HOME): `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def root_tables(warehouse: Warehouse) -> list[str]:
    """The source's root bronze tables (no nested tables), from the lake's dlt schema."""
    schema = build_pipeline(warehouse).default_schema
    return sorted(table["name"] for table in schema.data_tables() if not table.get("parent"))


def bronze_views(warehouse: Warehouse) -> dict[str, tuple[list[str], str]]:
    """Per root bronze table with files in the lake: its natural key and the `create view` SQL
    that dbt's `register_lake_bronze` runs for it (the same LAKE_BRONZE_TABLES, the same macro)."""
    tables = json.loads(lake.bronze_tables(warehouse, dbt_runner.natural_keys(warehouse)))
    macros = jinja2.Environment(extensions=["jinja2.ext.do"], autoescape=False)  # noqa: S701
    view = macros.from_string(LAKE_BRONZE_MACROS.read_text()).module.lake_bronze_view
    roots = root_tables(warehouse)
    return {
        name: (table["key"], str(view(name, table["location"], table["key"], table["order"])))
        for name, table in tables.items()
        if name in roots
    }


@dataclass(frozen=True)
class BronzeTable:
    key: list[str]
    columns: list[str]  # sorted by name
    rows: list[tuple[Any, ...]]

    def duplicate_keys(self) -> int:
        """How many key values the table holds more than once."""
        at = [self.columns.index(column) for column in self.key]
        held = Counter(tuple(row[i] for i in at) for row in self.rows)
        return sum(1 for n in held.values() if n > 1)


def read_bronze(
    lakes: Sequence[Mapping[str, tuple[list[str], str]]], home: Path
) -> list[dict[str, BronzeTable]]:
    """Each lake's bronze (from `bronze_views`), read by one Spark session whose metastore and
    logs are under `home`."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as child:
        return child.submit(_read_in_spark, lakes, str(home)).result(timeout=600)


def _read_in_spark(
    lakes: Sequence[Mapping[str, tuple[list[str], str]]], home: str
) -> list[dict[str, BronzeTable]]:
    os.environ.update(spark_env(Path(home)))
    from pyspark.sql import SparkSession

    # As dbt-spark's session method builds it; the settings come from spark-defaults.conf.
    spark = SparkSession.builder.master("local[1]").enableHiveSupport().getOrCreate()
    try:
        spark.sql("create schema if not exists bronze")
        read = []
        for views in lakes:
            tables = {}
            for name, (key, sql) in views.items():
                spark.sql(sql)
                frame = spark.table(f"bronze.`{name}`")
                columns = sorted(frame.columns)
                rows = frame.select(*columns).collect()
                tables[name] = BronzeTable(
                    key, columns, [tuple(_plain(value) for value in row) for row in rows]
                )
            read.append(tables)
        return read
    finally:
        spark.stop()


def _plain(value: Any) -> Any:
    """A hashable Python value (nested values as sorted JSON text)."""
    if value is None or isinstance(value, str | int | float | bool | Decimal | date | datetime):
        return value
    if hasattr(value, "asDict"):
        value = value.asDict(recursive=True)
    return json.dumps(value, sort_keys=True, default=str)
