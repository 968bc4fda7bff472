"""adAnalytics responses as Arrow tables: one table per window, typed as bronze stores it.

A dict per row with a Python `Decimal` per value (about 100 metrics a row) made parsing, dlt's
extract and its normalize the bottleneck of a run. Here each chunk's elements become one Arrow
table in a single conversion (`Table.from_pylist` against the wire schema), money strings are
cast and rounded half-even by Arrow compute, and the chunks of a window are outer-joined on their
keys. dlt writes Arrow tables to parquet as they are, so normalize has almost nothing left to do.

Values Arrow cannot read as they come (a money value as a JSON number, whitespace, a count as a
string, more than 40 decimal places) fall back to `parse_metric`, one value at a time, so every
value is parsed, validated and rounded exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingest.linkedin_ads.settings import Metric

__all__ = ["DECIMAL_PLACES", "MONEY", "chunk_table", "merge_chunks", "merge_tables", "parse_metric"]

DECIMAL_PLACES = 18  # bronze stores decimal metrics as decimal(38,18)
MONEY = pa.decimal128(38, DECIMAL_PLACES)
# Wide enough for any money string with up to 40 places before rounding to 18.
_WIDE = pa.decimal256(76, 40)
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
_DECIMAL_CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN)
_KEYS = ["pivot_value", "start", "end"]
_DATE = pa.struct([("year", pa.int32()), ("month", pa.int32()), ("day", pa.int32())])


def parse_metric(metric: Metric, raw: Any) -> int | Decimal:
    """A metric value as LinkedIn sends it: counts as int, BigDecimal strings as exact Decimal."""
    if raw is None:
        raw = 0
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(f"adAnalytics metric {metric.api_name} is not a number: {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"adAnalytics metric {metric.api_name} is not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"adAnalytics metric {metric.api_name} is not a number: {raw!r}")
    if metric.kind == "count":
        if value != value.to_integral_value():
            raise ValueError(f"adAnalytics count {metric.api_name} is not whole: {raw!r}")
        return int(value)
    try:
        quantized = value.quantize(_QUANTUM, context=_DECIMAL_CONTEXT)
    except InvalidOperation:
        raise ValueError(
            f"adAnalytics metric {metric.api_name} does not fit decimal(38,{DECIMAL_PLACES}): "
            f"{raw!r}"
        ) from None
    return quantized.copy_abs() if quantized.is_zero() else quantized  # no "-0" for tiny negatives


def _arrow_type(metric: Metric) -> pa.DataType:
    return pa.int64() if metric.kind == "count" else MONEY


def _wire_schema(metrics: Sequence[Metric]) -> pa.Schema:
    """The elements as they come: counts as JSON integers, money as BigDecimal strings."""
    return pa.schema(
        [
            ("pivotValues", pa.list_(pa.string())),
            ("dateRange", pa.struct([("start", _DATE), ("end", _DATE)])),
            *(
                (metric.api_name, pa.int64() if metric.kind == "count" else pa.string())
                for metric in metrics
            ),
        ]
    )


def _money(metric: Metric, values: pa.Array) -> pa.Array:
    """Money strings as decimal(38,18), rounded half-even; per value where Arrow cannot."""
    try:
        wide = pc.cast(values, _WIDE)
        return pc.cast(pc.round(wide, ndigits=DECIMAL_PLACES, round_mode="half_to_even"), MONEY)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _per_value(metric, values.to_pylist())


def _per_value(metric: Metric, values: Sequence[Any]) -> pa.Array:
    return pa.array(
        [None if value is None else parse_metric(metric, value) for value in values],
        _arrow_type(metric),
    )


def _day_numbers(elements: pa.Table, end: str) -> pa.Array:
    """yyyymmdd of each element's dateRange start or end (validated once per distinct day)."""
    part = pc.struct_field(elements["dateRange"], [0 if end == "start" else 1])
    year, month, day = (pc.struct_field(part, [i]) for i in range(3))
    number = pc.add(pc.add(pc.multiply(year, 10_000), pc.multiply(month, 100)), day)
    for value in pc.unique(number).to_pylist():
        if value is None:
            raise ValueError(f"adAnalytics element without a valid pivotValues/dateRange ({end})")
        try:
            date(value // 10_000, value // 100 % 100, value % 100)
        except ValueError as error:
            raise ValueError(f"adAnalytics element with an invalid {end} date: {error}") from None
    return number.cast(pa.int32())


def chunk_table(elements: list[dict[str, Any]], metrics: Sequence[Metric]) -> pa.Table:
    """One response's elements as a table: pivot_value, start, end (yyyymmdd), the metrics it has.

    Only the metrics that some element carries become columns (a chunk asks for a few); keys
    outside `metrics` are ignored.
    """
    present_keys = set().union(*(element.keys() for element in elements)) if elements else set()
    present = [metric for metric in metrics if metric.api_name in present_keys]
    try:
        wire = pa.Table.from_pylist(elements, schema=_wire_schema(present))
        columns = {
            metric.column: (
                wire[metric.api_name].combine_chunks()
                if metric.kind == "count"
                else _money(metric, wire[metric.api_name].combine_chunks())
            )
            for metric in present
        }
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value Arrow cannot read as it comes
        wire = pa.Table.from_pylist(
            [_keys_only(element) for element in elements], schema=_wire_schema([])
        )
        columns = {
            metric.column: _per_value(metric, [e.get(metric.api_name) for e in elements])
            for metric in present
        }
    pivot_values = wire["pivotValues"]
    if pivot_values.null_count or pc.min(pc.list_value_length(pivot_values)).as_py() == 0:
        raise ValueError("adAnalytics element without a valid pivotValues/dateRange (pivotValues)")
    keys = {
        "pivot_value": pc.list_element(pivot_values, 0),
        "start": _day_numbers(wire, "start"),
        "end": _day_numbers(wire, "end"),
    }
    table = pa.table({**keys, **columns})
    counts = table.group_by(_KEYS).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts["count_all"], 1))
    if repeated.num_rows:
        row = repeated.slice(0, 1).to_pylist()[0]
        where = f"{row['pivot_value']} {row['start']}..{row['end']}"
        raise ValueError(f"adAnalytics chunk repeats the row for {where}")
    return table


def _keys_only(element: dict[str, Any]) -> dict[str, Any]:
    return {"pivotValues": element.get("pivotValues"), "dateRange": element.get("dateRange")}


def _dates(numbers: pa.ChunkedArray) -> pa.Array:
    """yyyymmdd numbers as an Arrow date column (few distinct days: converted once each)."""
    distinct = pc.unique(numbers)
    days = pa.array(
        [date(n // 10_000, n // 100 % 100, n % 100) for n in distinct.to_pylist()], pa.date32()
    )
    return pc.take(days, pc.index_in(numbers, value_set=distinct))


def merge_tables(tables: Sequence[pa.Table], metrics: Sequence[Metric]) -> pa.Table:
    """Outer-join the chunk tables of one window into one bronze row per pivot value and range.

    A metric a row lacks (the API drops a row from a chunk whose metrics are all 0) is 0; a
    metric two chunks both carry is taken from the first. Rows come sorted by start date, end
    date and pivot value; columns are the bronze ones, in catalogue order.
    """
    merged: pa.Table | None = None
    for table in tables:
        if merged is None:
            merged = table
            continue
        fresh = [name for name in table.column_names if name not in merged.column_names]
        merged = merged.join(table.select(_KEYS + fresh), _KEYS, join_type="full outer")
    if merged is None:
        merged = pa.table({"pivot_value": pa.array([], pa.string())} | _empty_days())
    merged = merged.sort_by([(key, "ascending") for key in ("start", "end", "pivot_value")])
    rows = merged.num_rows
    fields = [
        pa.field("pivot_value", pa.string(), nullable=False),
        pa.field("start_date", pa.date32(), nullable=False),
        pa.field("end_date", pa.date32(), nullable=False),
        *(pa.field(metric.column, _arrow_type(metric), nullable=False) for metric in metrics),
    ]
    arrays = [
        merged["pivot_value"],
        _dates(merged["start"]),
        _dates(merged["end"]),
        *(
            pc.fill_null(merged[metric.column], pa.scalar(0, _arrow_type(metric)))
            if metric.column in merged.column_names
            else pa.repeat(pa.scalar(0, _arrow_type(metric)), rows)
            for metric in metrics
        ),
    ]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _empty_days() -> dict[str, pa.Array]:
    return {"start": pa.array([], pa.int32()), "end": pa.array([], pa.int32())}


def merge_chunks(
    chunk_responses: Sequence[list[dict[str, Any]]], metrics: Sequence[Metric]
) -> pa.Table:
    """The elements of each field chunk of one window, outer-joined (see merge_tables)."""
    return merge_tables([chunk_table(elements, metrics) for elements in chunk_responses], metrics)
