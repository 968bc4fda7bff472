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
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import pyarrow as pa

from ingest.linkedin_ads import restli, settings
from ingest.linkedin_ads.arrow_tables import (
    DECIMAL_PLACES,
    chunk_table,
    first_pivot_value,
    merge_chunks,
    merge_tables,
    parse_metric,
    read_elements,
)
from ingest.linkedin_ads.settings import Metric

logger = logging.getLogger(__name__)

__all__ = [
    "DECIMAL_PLACES",
    "AnalyticsFetch",
    "TruncatedAnalyticsError",
    "Window",
    "merge_chunks",
    "parse_metric",
]


class AnalyticsClient(Protocol):
    """The one method of the LinkedIn client this module uses."""

    def get_body(self, path: str, params: Sequence[tuple[str, Any]]) -> bytes: ...


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
    return finder_params(
        [("q", "analytics"), ("pivot", {"value": pivot})],
        granularity=granularity,
        window=window,
        facet_name=facet_name,
        facet_urns=facet_urns,
        metrics=metrics,
    )


def finder_params(
    finder: Sequence[tuple[str, Any]],
    *,
    granularity: str,
    window: Window,
    facet_name: str,
    facet_urns: Sequence[str],
    metrics: Sequence[Metric],
) -> list[tuple[str, Any]]:
    """An adAnalytics query: the finder and its pivot(s), then what every finder takes (time
    granularity, date range, the facet's URNs, the fields), in wire order."""
    if not facet_urns:
        raise ValueError(f"adAnalytics needs at least one {facet_name} URN")
    if not 1 <= len(metrics) <= settings.METRICS_PER_CHUNK:
        raise ValueError(
            f"one adAnalytics request takes 1 to {settings.METRICS_PER_CHUNK} metrics, "
            f"got {len(metrics)}"
        )
    fields = ["dateRange", "pivotValues", *(metric.api_name for metric in metrics)]
    return [
        *finder,
        ("timeGranularity", {"value": granularity}),
        ("dateRange", {"start": _restli_date(window.start), "end": _restli_date(window.end)}),
        (facet_name, list(facet_urns)),
        ("fields", restli.Raw(",".join(fields))),
    ]


def plan_windows(
    start: date,
    end: date,
    expected_rows: Callable[[date], float],
    cap: float = settings.ANALYTICS_ROW_CAP,
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
    rows = 0.0
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


# Runs one function over the metric chunks of a window: `map` (one after another, stopping at
# the first response that reaches the cap) or a shared executor's `map` (all at once).
Chunk = tuple[Metric, ...]
ChunkMap = Callable[[Callable[[Chunk], Any], Sequence[Chunk]], Iterator[Any]]


class AnalyticsFetch(Iterator[tuple[Window, pa.Table]]):
    """Fetches one adAnalytics facet window by window, splitting any window whose response
    reaches `cap`; iterates (window, merged Arrow table) in date order, each window once complete.

    `chunk_map` runs a window's metric-chunk requests: the built-in `map` sends them one after
    another; a shared executor's `map` sends them together, so that every request, not every
    window, competes for the executor's workers. Each response becomes an Arrow table in the
    thread that received it, so only one response's JSON is alive per request in flight.

    `requests` counts the adAnalytics calls made so far and `split_windows` the windows
    discarded and re-fetched in halves because a response reached the row cap. A single month
    at the cap (a demographic pivot with more values in a month than one response holds) is
    loaded as the `cap` values with the most impressions, asked for with `sortBy`, and said in
    `truncated`, one line each; a single day at the cap raises TruncatedAnalyticsError.
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
        chunk_map: ChunkMap = map,
    ) -> None:
        if not metrics:
            raise ValueError(f"adAnalytics {pivot} request without metrics")
        self.requests = 0
        self.split_windows = 0
        self.truncated: list[str] = []
        self._counted = threading.Lock()
        self._client = client
        self._pivot = pivot
        self._granularity = granularity
        self._facet_name = facet_name
        self._facet_urns = list(facet_urns)
        self._metrics = tuple(metrics)
        self._chunks = metric_chunks(self._metrics)
        self._cap = cap
        self._map = chunk_map
        self._results = (result for window in windows for result in self._fetch(window))

    def __next__(self) -> tuple[Window, pa.Table]:
        return next(self._results)

    def _facet(self) -> str:
        urns = self._facet_urns
        more = f" and {len(urns) - 1} more" if len(urns) > 1 else ""
        return f"{self._facet_name}={urns[0]}{more}"

    def _params(self, window: Window, chunk: tuple[Metric, ...]) -> list[tuple[str, Any]]:
        """The query of one chunk of one window (`q=analytics`, one pivot)."""
        return analytics_params(
            pivot=self._pivot,
            granularity=self._granularity,
            window=window,
            facet_name=self._facet_name,
            facet_urns=self._facet_urns,
            metrics=chunk,
        )

    # The row key of an element's pivotValues (one pivot here; the statistics finder has two).
    _pivot_key = staticmethod(first_pivot_value)

    def _request(
        self, window: Window, chunk: tuple[Metric, ...], *, top: bool = False
    ) -> pa.Table | None:
        """One chunk of one window as a table; None when the response reached the cap, unless
        `top` asks for the rows with the most impressions first and keeps them at the cap."""
        params = self._params(window, chunk)
        if top:
            params.append(("sortBy", {"field": "IMPRESSIONS", "order": "DESCENDING"}))
        with self._counted:
            self.requests += 1
        # Only the chunk's metrics: Arrow's reader parses a body in half the time with the 18
        # fields asked for as with the table's hundred.
        elements = read_elements(self._client.get_body("adAnalytics", params), chunk)
        if elements is None:
            raise ValueError(f"adAnalytics response without an elements list ({self._facet()})")
        if len(elements) >= self._cap and not top:
            return None
        return chunk_table(elements, chunk, self._pivot_key)

    def _fetch(self, window: Window) -> Iterator[tuple[Window, pa.Table]]:
        tables: list[pa.Table] = []
        for table in self._map(lambda chunk: self._request(window, chunk), self._chunks):
            if table is None:
                yield from self._split(window)
                return
            tables.append(table)
        yield window, merge_tables(tables, self._metrics)

    def _split(self, window: Window) -> Iterator[tuple[Window, pa.Table]]:
        monthly = self._granularity == "MONTHLY"
        try:
            parts = window.month_halves() if monthly else window.halves()
        except ValueError:
            if monthly and len(self._chunks) == 1:
                yield from self._top_values(window)
                return
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

    def _top_values(self, window: Window) -> Iterator[tuple[Window, pa.Table]]:
        """A single month with more rows than a response holds: LinkedIn serves no more than the
        cap per request and the month cannot be split (its values are ranked and thresholded per
        month), so the month is asked for again with the values with the most impressions first
        and loaded as far as the cap reaches. One chunk only: rows cut at the cap by chunk would
        not line up."""
        [table] = self._map(lambda chunk: self._request(window, chunk, top=True), self._chunks)
        self.truncated.append(
            f"adAnalytics {self._pivot} for {self._facet()}: the month of {window.start} has more "
            f"values than the {self._cap:,} one response holds; loaded the {table.num_rows:,} with "
            "the most impressions, the rest (fewer impressions each) are not in bronze"
        )
        yield window, merge_tables([table], self._metrics)


def lower_bound_requests(rows: int, n_metrics: int, cap: int = settings.ANALYTICS_ROW_CAP) -> int:
    """Fewest adAnalytics calls any client needs for `rows` rows of `n_metrics` metrics.

    A response must stay below `cap` to be trusted, and even an empty answer costs one call
    per chunk.
    """
    windows = max(1, math.ceil(rows / (cap - 1)))
    return windows * math.ceil(n_metrics / settings.METRICS_PER_CHUNK)
