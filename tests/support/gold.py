"""Gold snapshots: every gold table's rows, comparable across engines and runs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ingest.warehouse import Warehouse
from tests.support.warehouse import columns, query, tables

Gold = dict[str, list[tuple[Any, ...]]]

# When a run happened, not what it found: left out of every comparison.
HISTORY_TIME_COLUMNS = {
    "valid_from",
    "valid_to",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_updated_at",
    "last_successful_run_at",
}
# The sync log: every row is about a run, none about the data.
RUN_LOG_TABLES = {"sync_runs"}


def gold_columns(warehouse: Warehouse) -> dict[str, list[str]]:
    """The compared columns of each gold table, in the order `snapshot` reads them."""
    return {
        table: [
            name for name in columns(warehouse, "gold", table) if name not in HISTORY_TIME_COLUMNS
        ]
        for table in tables(warehouse, "gold")
        if table not in RUN_LOG_TABLES
    }


def snapshot(warehouse: Warehouse) -> Gold:
    """Every gold table's rows, sorted.

    Decimals and floats are compared at 9 decimal places (engines differ in the last digits of a
    division); snapshot timestamps are left out.
    """
    return {
        table: sorted(
            (
                tuple(_comparable(value) for value in row)
                for row in query(warehouse, f"select {', '.join(names)} from gold.{table}")
            ),
            key=repr,
        )
        for table, names in gold_columns(warehouse).items()
    }


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        return Decimal(value).quantize(Decimal("1e-9")).normalize() + 0
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC)
    return value
