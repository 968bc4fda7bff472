"""adAnalytics responses as Arrow tables: one table per window, typed as bronze stores it.

A dict per row with a Python `Decimal` per value (about 100 metrics a row) made parsing, dlt's
extract and its normalize the bottleneck of a run. Here each chunk's response becomes one Arrow
table, money strings are cast and rounded half-even by Arrow compute, and the chunks of a window
are outer-joined on their keys. dlt writes Arrow tables to parquet as they are, so normalize has
almost nothing left to do.

A response body is read by Arrow's JSON reader straight from its bytes (`read_elements`, against
the wire schema): no Python object per value, and the GIL released while it parses, so the
request threads and dlt's extract keep running. Bodies the reader refuses (a money value as a
JSON number, a count as a string or beyond 64 bits, a repeated key) are parsed by orjson instead,
and values Arrow cannot cast (whitespace, more than 40 decimal places) fall back to
`parse_metric`, one value at a time, so every value is parsed, validated and rounded the same way
on either path.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ingest.linkedin_ads.settings import Metric

__all__ = [
    "DECIMAL_PLACES",
    "MONEY",
    "Elements",
    "chunk_table",
    "first_pivot_value",
    "merge_chunks",
    "merge_tables",
    "parse_metric",
    "read_elements",
]

DECIMAL_PLACES = 18  # bronze stores decimal metrics as decimal(38,18)
MONEY = pa.decimal128(38, DECIMAL_PLACES)
# Wide enough for any money string with up to 40 places before rounding to 18.
_WIDE = pa.decimal256(76, 40)
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
_DECIMAL_CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN)
_KEYS = ["pivot_value", "start", "end"]
_DATE = pa.struct([("year", pa.int32()), ("month", pa.int32()), ("day", pa.int32())])
# A response's elements: a table of the wire columns (Arrow's JSON reader), or dicts (orjson).
Elements = pa.Table | list[dict[str, Any]]


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


def read_elements(body: bytes, metrics: Sequence[Metric]) -> Elements | None:
    """A response body's elements: a table of the wire columns read by Arrow's JSON reader, or,
    for a body it refuses, the elements as orjson parses them. None when the body has no
    elements list; a body that is not JSON raises ValueError."""
    schema = pa.schema([("elements", pa.list_(pa.struct(list(_wire_schema(metrics)))))])
    try:
        read = pj.read_json(
            io.BytesIO(body),
            # one block for the whole body, parsed on this thread (requests run side by side)
            read_options=pj.ReadOptions(use_threads=False, block_size=len(body) + 1),
            parse_options=pj.ParseOptions(
                explicit_schema=schema,
                unexpected_field_behavior="ignore",
                newlines_in_values=True,  # indented JSON is JSON too
            ),
        )
    except pa.ArrowInvalid:
        read = None
    if read is not None and read.num_rows == 1 and not read["elements"].null_count:
        return pa.Table.from_struct_array(read["elements"].combine_chunks().flatten())
    payload = orjson.loads(body)
    elements = payload.get("elements") if isinstance(payload, dict) else None
    return elements if isinstance(elements, list) else None


def first_pivot_value(pivot_values: pa.ChunkedArray) -> pa.ChunkedArray:
    """The row key of a `q=analytics` element: its one pivot value."""
    if pivot_values.null_count or pc.min(pc.list_value_length(pivot_values)).as_py() == 0:
        raise ValueError("adAnalytics element without a valid pivotValues/dateRange (pivotValues)")
    return pc.list_element(pivot_values, 0)


def chunk_table(
    elements: Elements,
    metrics: Sequence[Metric],
    pivot_key: Callable[[pa.ChunkedArray], pa.ChunkedArray] = first_pivot_value,
) -> pa.Table:
    """One response's elements as a table: pivot_value, start, end (yyyymmdd), the metrics it has.

    Only the metrics that some element carries become columns (a chunk asks for a few); keys
    outside `metrics` are ignored. `pivot_key` makes the row key of each element's pivotValues.
    """
    if isinstance(elements, list):
        wire, columns = _dict_columns(elements, metrics)
    else:
        wire = elements
        present = [
            metric
            for metric in metrics
            if metric.api_name in wire.column_names
            and wire[metric.api_name].null_count < wire.num_rows
        ]
        columns = _wire_columns(wire, present)
    keys = {
        "pivot_value": pivot_key(wire["pivotValues"]),
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


def _wire_columns(wire: pa.Table, present: Sequence[Metric]) -> dict[str, pa.Array]:
    """The metric columns of a wire table: counts as they are, money cast to decimal."""
    return {
        metric.column: (
            wire[metric.api_name].combine_chunks()
            if metric.kind == "count"
            else _money(metric, wire[metric.api_name].combine_chunks())
        )
        for metric in present
    }


def _dict_columns(
    elements: list[dict[str, Any]], metrics: Sequence[Metric]
) -> tuple[pa.Table, dict[str, pa.Array]]:
    """The wire table and metric columns of parsed elements; per value where Arrow cannot."""
    present_keys = set().union(*(element.keys() for element in elements)) if elements else set()
    present = [metric for metric in metrics if metric.api_name in present_keys]
    try:
        wire = pa.Table.from_pylist(elements, schema=_wire_schema(present))
        return wire, _wire_columns(wire, present)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value Arrow cannot read as it comes
        wire = pa.Table.from_pylist(
            [_keys_only(element) for element in elements], schema=_wire_schema([])
        )
        return wire, {
            metric.column: _per_value(metric, [e.get(metric.api_name) for e in elements])
            for metric in present
        }


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
