"""adAnalytics request planning (date windows, field chunks, row-cap splits) and chunk merge.

LinkedIn's analytics finder has no paging, allows 20 fields per request (`dateRange` and
`pivotValues` included) and silently truncates a response at 15,000 elements. A table is
therefore asked for in date windows whose rows stay below the cap, each window once per chunk
of at most 18 metrics, and the chunks are outer-joined back into one row per pivot value and
date range (a chunk omits a row whose metrics are all 0).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any, Protocol

from ingest.linkedin_ads import restli, settings
from ingest.linkedin_ads.settings import Metric

logger = logging.getLogger(__name__)

DECIMAL_PLACES = 18  # bronze stores decimal metrics as decimal(38,18)
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
_DECIMAL_CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN)

Row = dict[str, Any]
_RowKey = tuple[tuple[str, ...], date, date]


class AnalyticsClient(Protocol):
    """The one method of the LinkedIn client this module uses."""

    def get(self, path: str, params: Sequence[tuple[str, Any]]) -> dict[str, Any]: ...


class TruncatedAnalyticsError(RuntimeError):
    """A window that cannot be split any further still reaches the row cap."""


@dataclass(frozen=True)
class Window:
    """An inclusive date range of one adAnalytics request."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def halves(self) -> tuple[Window, Window]:
        """Split into two contiguous windows; the first gets the smaller half."""
        if self.days < 2:
            raise ValueError(f"a one-day window cannot be halved: {self}")
        first_end = self.start + timedelta(days=self.days // 2 - 1)
        return Window(self.start, first_end), Window(first_end + timedelta(days=1), self.end)

    def month_halves(self) -> tuple[Window, Window]:
        """Split on the month boundary nearest the middle (MONTHLY rows must not be cut)."""
        starts = _month_starts_after(self.start, self.end)
        if not starts:
            raise ValueError(f"a window inside one month cannot be split by month: {self}")
        middle = self.start + timedelta(days=self.days // 2)
        cut = min(starts, key=lambda month_start: abs((month_start - middle).days))
        return Window(self.start, cut - timedelta(days=1)), Window(cut, self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _month_starts_after(start: date, end: date) -> list[date]:
    """First days of the months that begin after `start` and on or before `end`."""
    starts = []
    month_start = start.replace(day=1)
    while True:
        month_start = (month_start + timedelta(days=32)).replace(day=1)
        if month_start > end:
            return starts
        starts.append(month_start)


def is_demographic_pivot(pivot: str) -> bool:
    return pivot.startswith("MEMBER_")


def metrics_for_pivot(pivot: str) -> tuple[Metric, ...]:
    """Every catalogue metric LinkedIn serves for `pivot` (MEMBER_* pivots lack a few)."""
    if is_demographic_pivot(pivot):
        return tuple(metric for metric in settings.METRICS if metric.demographic)
    return settings.METRICS


def metric_chunks(
    metrics: Sequence[Metric], size: int = settings.METRICS_PER_CHUNK
) -> list[tuple[Metric, ...]]:
    """Split metrics into ceil(n / size) request chunks, in catalogue order."""
    if not 1 <= size <= settings.METRICS_PER_CHUNK:
        raise ValueError(f"chunk size must be between 1 and {settings.METRICS_PER_CHUNK}: {size}")
    return [tuple(metrics[i : i + size]) for i in range(0, len(metrics), size)]


def _restli_date(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def analytics_params(
    *,
    pivot: str,
    granularity: str,
    window: Window,
    facet_name: str,
    facet_urns: Sequence[str],
    metrics: Sequence[Metric],
) -> list[tuple[str, Any]]:
    """Query parameters of one `q=analytics` request, in wire order, for restli.encode_query."""
    if not facet_urns:
        raise ValueError(f"adAnalytics needs at least one {facet_name} URN")
    if not 1 <= len(metrics) <= settings.METRICS_PER_CHUNK:
        raise ValueError(
            f"one adAnalytics request takes 1 to {settings.METRICS_PER_CHUNK} metrics, "
            f"got {len(metrics)}"
        )
    fields = ["dateRange", "pivotValues", *(metric.api_name for metric in metrics)]
    return [
        ("q", "analytics"),
        ("pivot", {"value": pivot}),
        ("timeGranularity", {"value": granularity}),
        ("dateRange", {"start": _restli_date(window.start), "end": _restli_date(window.end)}),
        (facet_name, list(facet_urns)),
        ("fields", restli.Raw(",".join(fields))),
    ]


def plan_windows(
    start: date,
    end: date,
    expected_rows: Callable[[date], int],
    cap: int = settings.ANALYTICS_ROW_CAP,
) -> list[Window]:
    """Fewest contiguous windows covering start..end whose expected rows stay below `cap`.

    Greedy from `start`: a window grows while its expected rows stay strictly below the cap (a
    response of exactly `cap` rows counts as truncated). Days expected to be empty ride along
    with their neighbours; a day expected to reach the cap alone gets a window of its own.
    """
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    windows: list[Window] = []
    window_start: date | None = None
    rows = 0
    day = start
    while day <= end:
        day_rows = expected_rows(day)
        if day_rows < 0:
            raise ValueError(f"expected rows for {day} is negative: {day_rows}")
        if window_start is not None and rows + day_rows >= cap:
            windows.append(Window(window_start, day - timedelta(days=1)))
            window_start = None
        if day_rows >= cap:
            windows.append(Window(day, day))
        elif window_start is None:
            window_start, rows = day, day_rows
        else:
            rows += day_rows
        day += timedelta(days=1)
    if window_start is not None:
        windows.append(Window(window_start, end))
    return windows


def plan_month_windows(start: date, end: date) -> list[Window]:
    """The window of a MONTHLY table: whole months, so a month's row never starts mid-month."""
    return [Window(start.replace(day=1), end)]


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


def _zero(metric: Metric) -> int | Decimal:
    return 0 if metric.kind == "count" else Decimal(0).quantize(_QUANTUM)


def _parse_date(value: dict[str, int]) -> date:
    return date(value["year"], value["month"], value["day"])


def _element_key(element: dict[str, Any]) -> _RowKey:
    try:
        pivot_values = tuple(element["pivotValues"])
        start = _parse_date(element["dateRange"]["start"])
        end = _parse_date(element["dateRange"]["end"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"adAnalytics element without a valid pivotValues/dateRange ({error!r}): "
            f"keys {sorted(element)}"
        ) from None
    if not pivot_values:
        raise ValueError(f"adAnalytics element with empty pivotValues for {start}..{end}")
    return pivot_values, start, end


def merge_chunks(
    chunk_responses: Sequence[Sequence[dict[str, Any]]], metrics: Sequence[Metric]
) -> list[Row]:
    """Outer-join the elements of each field chunk into one bronze row per pivot value and range.

    A metric a row lacks (the API drops a row from a chunk whose metrics are all 0) is 0; keys
    outside `metrics` are ignored. Rows come sorted by start date, end date and pivot values.
    """
    merged: dict[_RowKey, Row] = {}
    for chunk_index, elements in enumerate(chunk_responses):
        seen: set[_RowKey] = set()
        for element in elements:
            key = _element_key(element)
            if key in seen:
                raise ValueError(
                    f"adAnalytics chunk {chunk_index} repeats the row for {list(key[0])} "
                    f"{key[1]}..{key[2]}"
                )
            seen.add(key)
            row = merged.get(key)
            if row is None:
                row = merged[key] = {
                    "pivot_value": key[0][0],
                    "start_date": key[1],
                    "end_date": key[2],
                    **{metric.column: _zero(metric) for metric in metrics},
                }
            for metric in metrics:
                if metric.api_name in element:
                    row[metric.column] = parse_metric(metric, element[metric.api_name])
    return [merged[key] for key in sorted(merged, key=lambda key: (key[1], key[2], key[0]))]


class AnalyticsFetch(Iterator[tuple[Window, list[Row]]]):
    """Fetches one adAnalytics facet window by window, splitting any window whose response
    reaches `cap`; iterates (window, merged rows) in date order, each window once complete.

    `requests` counts the adAnalytics calls made so far and `split_windows` the windows
    discarded and re-fetched in halves because a response reached the row cap.
    """

    def __init__(
        self,
        client: AnalyticsClient,
        *,
        pivot: str,
        granularity: str,
        facet_name: str,
        facet_urns: Sequence[str],
        windows: Sequence[Window],
        metrics: Sequence[Metric],
        cap: int = settings.ANALYTICS_ROW_CAP,
    ) -> None:
        if not metrics:
            raise ValueError(f"adAnalytics {pivot} request without metrics")
        self.requests = 0
        self.split_windows = 0
        self._client = client
        self._pivot = pivot
        self._granularity = granularity
        self._facet_name = facet_name
        self._facet_urns = list(facet_urns)
        self._metrics = tuple(metrics)
        self._chunks = metric_chunks(self._metrics)
        self._cap = cap
        self._results = (result for window in windows for result in self._fetch(window))

    def __next__(self) -> tuple[Window, list[Row]]:
        return next(self._results)

    def _facet(self) -> str:
        urns = self._facet_urns
        more = f" and {len(urns) - 1} more" if len(urns) > 1 else ""
        return f"{self._facet_name}={urns[0]}{more}"

    def _fetch(self, window: Window) -> Iterator[tuple[Window, list[Row]]]:
        responses: list[list[dict[str, Any]]] = []
        for chunk in self._chunks:
            params = analytics_params(
                pivot=self._pivot,
                granularity=self._granularity,
                window=window,
                facet_name=self._facet_name,
                facet_urns=self._facet_urns,
                metrics=chunk,
            )
            self.requests += 1
            elements = self._client.get("adAnalytics", params).get("elements")
            if not isinstance(elements, list):
                raise ValueError(f"adAnalytics response without an elements list ({self._facet()})")
            if len(elements) >= self._cap:
                yield from self._split(window)
                return
            responses.append(elements)
        yield window, merge_chunks(responses, self._metrics)

    def _split(self, window: Window) -> Iterator[tuple[Window, list[Row]]]:
        monthly = self._granularity == "MONTHLY"
        try:
            parts = window.month_halves() if monthly else window.halves()
        except ValueError:
            span = f"month of {window.start}" if monthly else f"day {window.start}"
            raise TruncatedAnalyticsError(
                f"adAnalytics {self._pivot} for {self._facet()} returned {self._cap} rows (the "
                f"API's silent truncation cap) for the single {span}; the data is incomplete"
            ) from None
        logger.warning(
            "adAnalytics %s for %s: window %s reached the %d-row cap; discarding it and "
            "fetching it in two parts",
            self._pivot,
            self._facet(),
            window,
            self._cap,
        )
        self.split_windows += 1
        for part in parts:
            yield from self._fetch(part)


def lower_bound_requests(rows: int, n_metrics: int, cap: int = settings.ANALYTICS_ROW_CAP) -> int:
    """Fewest adAnalytics calls any client needs for `rows` rows of `n_metrics` metrics.

    A response must stay below `cap` to be trusted, and even an empty answer costs one call
    per chunk.
    """
    windows = max(1, math.ceil(rows / (cap - 1)))
    return windows * math.ceil(n_metrics / settings.METRICS_PER_CHUNK)
