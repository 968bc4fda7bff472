"""Request planning and chunk merge for adAnalytics, against a fake that behaves like LinkedIn."""

from __future__ import annotations

import itertools
import logging
import random
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa
import pytest

from ingest.linkedin_ads import restli, settings
from ingest.linkedin_ads.analytics import (
    AnalyticsFetch,
    TruncatedAnalyticsError,
    Window,
    analytics_params,
    lower_bound_requests,
    merge_chunks,
    metric_chunks,
    metrics_for_pivot,
    parse_metric,
    plan_month_windows,
    plan_windows,
)
from ingest.linkedin_ads.arrow_tables import chunk_table, merge_tables, read_elements

METRIC = settings.METRICS_BY_NAME
CAMPAIGN_URNS = [f"urn:li:sponsoredCampaign:{n}" for n in (11, 12, 13)]
ACCOUNT_URN = "urn:li:sponsoredAccount:1"


def _restli_date(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def element(urn: str, start: date, end: date | None = None, **metrics: Any) -> dict[str, Any]:
    """One adAnalytics element as it comes off the wire."""
    date_range = {"start": _restli_date(start), "end": _restli_date(end or start)}
    return {"pivotValues": [urn], "dateRange": date_range, **metrics}


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class FakeAnalyticsApi:
    """Serves adAnalytics from a daily fact table the way LinkedIn does.

    A row is left out of a response when all requested metrics are 0, MONTHLY rows are clipped to
    the requested range, and a response is cut silently at `cap` elements. Records every call.
    """

    def __init__(self, facts: Mapping[tuple[str, date], Mapping[str, Any]], cap: int) -> None:
        self.facts = facts
        self.cap = cap
        self.calls: list[dict[str, Any]] = []

    def get(self, path: str, params: Sequence[tuple[str, Any]]) -> dict[str, Any]:
        assert path == "adAnalytics"
        query = dict(params)
        self.calls.append(query)
        start = date(**query["dateRange"]["start"])
        end = date(**query["dateRange"]["end"])
        monthly = query["timeGranularity"] == {"value": "MONTHLY"}
        metrics = str(query["fields"]).split(",")[2:]
        buckets: dict[tuple[date, date, str], dict[str, Decimal]] = {}
        for (urn, day), values in self.facts.items():
            if not start <= day <= end:
                continue
            span = (
                (max(start, day.replace(day=1)), min(end, _month_end(day)))
                if monthly
                else (day, day)
            )
            bucket = buckets.setdefault((*span, urn), dict.fromkeys(metrics, Decimal(0)))
            for name in metrics:
                bucket[name] += Decimal(str(values.get(name, 0)))
        elements = [
            element(
                urn, first, last, **{name: _wire(name, value) for name, value in values.items()}
            )
            for (first, last, urn), values in sorted(buckets.items())
            if any(values.values())
        ]
        if query.get("sortBy") == {"field": "IMPRESSIONS", "order": "DESCENDING"}:
            elements.sort(key=lambda row: row.get("impressions", 0), reverse=True)
        return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements[: self.cap]}

    def get_body(self, path: str, params: Sequence[tuple[str, Any]]) -> bytes:
        return orjson.dumps(self.get(path, params))


def _wire(name: str, value: Decimal) -> int | str:
    return int(value) if METRIC[name].kind == "count" else str(value)


def daily_facts(
    days: int, start: date = date(2024, 1, 1)
) -> dict[tuple[str, date], dict[str, Any]]:
    """Three campaigns with distinct impressions, cost and a sparse video metric every day."""
    facts = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        for n, urn in enumerate(CAMPAIGN_URNS):
            facts[urn, day] = {
                "impressions": 100 * offset + n + 1,
                "costInUsd": f"{offset}.{n}5",
                "viralVideoViews": 1 if offset % 5 == 0 else 0,
            }
    return facts


def fetch_analytics(
    api: FakeAnalyticsApi, windows: list[Window], metrics: Sequence[settings.Metric], **kw: Any
) -> AnalyticsFetch:
    return AnalyticsFetch(
        api,
        pivot=kw.pop("pivot", "CAMPAIGN"),
        granularity=kw.pop("granularity", "DAILY"),
        facet_name="accounts",
        facet_urns=[ACCOUNT_URN],
        windows=windows,
        metrics=metrics,
        **kw,
    )


# --- windows and metric chunks -------------------------------------------------------------------


def test_window_counts_both_ends_and_halves_into_contiguous_parts() -> None:
    window = Window(date(2024, 1, 1), date(2024, 1, 5))

    first, second = window.halves()

    assert window.days == 5
    assert (first, second) == (
        Window(date(2024, 1, 1), date(2024, 1, 2)),
        Window(date(2024, 1, 3), date(2024, 1, 5)),
    )


def test_one_day_window_cannot_be_halved_and_reversed_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="one-day"):
        Window(date(2024, 1, 1), date(2024, 1, 1)).halves()
    with pytest.raises(ValueError, match="before it starts"):
        Window(date(2024, 1, 2), date(2024, 1, 1))


def test_month_halves_cut_on_the_month_boundary_nearest_the_middle() -> None:
    window = Window(date(2024, 1, 15), date(2024, 4, 30))

    assert window.month_halves() == (
        Window(date(2024, 1, 15), date(2024, 2, 29)),
        Window(date(2024, 3, 1), date(2024, 4, 30)),
    )
    with pytest.raises(ValueError, match="one month"):
        Window(date(2024, 2, 1), date(2024, 2, 29)).month_halves()


def test_full_catalogue_needs_six_requests_of_at_most_twenty_fields() -> None:
    metrics = metrics_for_pivot("CREATIVE")

    chunks = metric_chunks(metrics)

    assert len(metrics) == 98
    assert len(chunks) == 6
    assert [metric for chunk in chunks for metric in chunk] == list(metrics)
    for chunk in chunks:
        params = analytics_params(
            pivot="CREATIVE",
            granularity="DAILY",
            window=Window(date(2024, 1, 1), date(2024, 1, 31)),
            facet_name="accounts",
            facet_urns=[ACCOUNT_URN],
            metrics=chunk,
        )
        fields = dict(params)["fields"].split(",")
        assert len(fields) <= settings.MAX_FIELDS_PER_REQUEST
        assert fields[:2] == ["dateRange", "pivotValues"]


def test_member_pivots_ask_only_for_metrics_served_for_demographics() -> None:
    member_metrics = metrics_for_pivot("MEMBER_JOB_TITLE")

    assert all(metric.demographic for metric in member_metrics)
    assert METRIC["cardClicks"] not in member_metrics
    assert METRIC["conversionValueInLocalCurrency"] not in member_metrics
    assert len(member_metrics) == len(settings.METRICS) - 5


def test_chunk_size_beyond_the_field_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="chunk size"):
        metric_chunks(settings.METRICS, size=19)


def test_params_encode_to_the_restli_wire_form() -> None:
    params = analytics_params(
        pivot="CAMPAIGN",
        granularity="DAILY",
        window=Window(date(2024, 1, 29), date(2024, 2, 3)),
        facet_name="accounts",
        facet_urns=[ACCOUNT_URN, "urn:li:sponsoredAccount:2"],
        metrics=[METRIC["impressions"], METRIC["costInUsd"]],
    )

    assert restli.encode_query(params) == (
        "q=analytics&pivot=(value:CAMPAIGN)&timeGranularity=(value:DAILY)"
        "&dateRange=(start:(year:2024,month:1,day:29),end:(year:2024,month:2,day:3))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)"
        "&fields=dateRange,pivotValues,impressions,costInUsd"
    )


def test_params_without_facet_or_with_too_many_metrics_are_rejected() -> None:
    window = Window(date(2024, 1, 1), date(2024, 1, 1))
    common = {"pivot": "CAMPAIGN", "granularity": "DAILY", "window": window}
    with pytest.raises(ValueError, match="at least one accounts URN"):
        analytics_params(
            **common, facet_name="accounts", facet_urns=[], metrics=settings.METRICS[:1]
        )
    with pytest.raises(ValueError, match="got 19"):
        analytics_params(
            **common, facet_name="accounts", facet_urns=[ACCOUNT_URN], metrics=settings.METRICS[:19]
        )


# --- window planning -----------------------------------------------------------------------------


def _assert_covers(windows: list[Window], start: date, end: date) -> None:
    assert windows[0].start == start
    assert windows[-1].end == end
    for before, after in itertools.pairwise(windows):
        assert after.start == before.end + timedelta(days=1)


def _rows(window: Window, expected: dict[date, int]) -> int:
    return sum(expected[window.start + timedelta(days=n)] for n in range(window.days))


def test_plan_packs_days_while_rows_stay_strictly_below_the_cap() -> None:
    start, end = date(2024, 1, 1), date(2024, 2, 29)  # 60 days at 1,000 rows

    windows = plan_windows(start, end, lambda day: 1_000, cap=15_000)

    _assert_covers(windows, start, end)
    assert [window.days for window in windows] == [14, 14, 14, 14, 4]  # 15 days would be 15,000


def test_plan_lets_empty_days_ride_along_with_their_neighbours() -> None:
    start, end = date(2024, 1, 1), date(2024, 1, 10)
    busy = {date(2024, 1, 4): 9_000, date(2024, 1, 7): 9_000}

    windows = plan_windows(start, end, lambda day: busy.get(day, 0), cap=15_000)

    assert windows == [
        Window(date(2024, 1, 1), date(2024, 1, 6)),
        Window(date(2024, 1, 7), date(2024, 1, 10)),
    ]
    assert plan_windows(start, end, lambda day: 0) == [Window(start, end)]


def test_plan_gives_a_day_over_the_cap_a_window_of_its_own() -> None:
    start, end = date(2024, 1, 1), date(2024, 1, 9)
    huge = date(2024, 1, 5)

    windows = plan_windows(start, end, lambda day: 40_000 if day == huge else 100, cap=15_000)

    assert windows == [
        Window(date(2024, 1, 1), date(2024, 1, 4)),
        Window(huge, huge),
        Window(date(2024, 1, 6), date(2024, 1, 9)),
    ]


def _fewest_windows(weights: list[int], cap: int) -> int:
    """Brute-force optimum: windows below the cap, over-cap days alone."""
    best = [0] + [len(weights) + 1] * len(weights)
    for end in range(1, len(weights) + 1):
        for start in range(end):
            part = weights[start:end]
            if sum(part) < cap or len(part) == 1:
                best[end] = min(best[end], best[start] + 1)
    return best[-1]


@pytest.mark.parametrize("seed", range(20))
def test_plan_is_minimal_and_never_reaches_the_cap_on_random_days(seed: int) -> None:
    # given: a month of random daily expectations, some empty, some alone over the cap
    rng = random.Random(seed)
    start, end, cap = date(2024, 1, 1), date(2024, 1, 31), 1_000
    expected = {
        start + timedelta(days=n): rng.choice([0, 0, 50, 300, 700, 999, 1_000, 2_500])
        for n in range(31)
    }

    # when
    windows = plan_windows(start, end, expected.__getitem__, cap=cap)

    # then: contiguous, every multi-day window below the cap, as few windows as possible
    _assert_covers(windows, start, end)
    assert all(_rows(window, expected) < cap for window in windows if window.days > 1)
    assert len(windows) == _fewest_windows(list(expected.values()), cap)


def test_monthly_plan_starts_on_the_first_of_the_month() -> None:
    assert plan_month_windows(date(2024, 3, 17), date(2024, 6, 2)) == [
        Window(date(2024, 3, 1), date(2024, 6, 2))
    ]


# --- metric parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("costInUsd", "209.449", Decimal("209.449")),
        ("costInUsd", "-2E-18", Decimal("-0.000000000000000002")),
        ("costInUsd", -2e-18, Decimal("-0.000000000000000002")),
        ("costInUsd", "107.5300000000000335346", Decimal("107.530000000000033535")),
        ("costInUsd", "0.0000000000000000025", Decimal("0.000000000000000002")),  # half to even
        ("costInUsd", "0.0000000000000000035", Decimal("0.000000000000000004")),
        ("costInUsd", 12, Decimal("12")),
        ("costInUsd", 0.1, Decimal("0.1")),
        ("costInUsd", None, Decimal(0)),
        ("impressions", 19090, 19090),
        ("impressions", "12", 12),
        ("impressions", None, 0),
    ],
)
def test_metric_values_parse_exactly(name: str, raw: Any, expected: int | Decimal) -> None:
    value = parse_metric(METRIC[name], raw)

    assert value == expected
    assert type(value) is type(expected)


def test_decimals_keep_eighteen_places_and_tiny_negatives_do_not_become_minus_zero() -> None:
    assert parse_metric(METRIC["costInUsd"], "1.5").as_tuple().exponent == -18
    assert str(parse_metric(METRIC["costInUsd"], "-4E-19")) == "0E-18"


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("costInUsd", "n/a"),
        ("costInUsd", "NaN"),
        ("costInUsd", True),
        ("costInUsd", [1]),
        ("clicks", 1.5),
    ],
)
def test_unparseable_metric_names_the_metric_and_the_value(name: str, raw: Any) -> None:
    with pytest.raises(ValueError, match=rf"{name}.*{re.escape(repr(raw))}"):
        parse_metric(METRIC[name], raw)


def test_money_beyond_decimal_38_18_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"costInUsd does not fit decimal\(38,18\)"):
        parse_metric(METRIC["costInUsd"], "1E+21")


# --- chunk merge ---------------------------------------------------------------------------------


def _body(elements: list[dict[str, Any]], **options: Any) -> bytes:
    return orjson.dumps({"paging": {"start": 0, "count": 10}, "elements": elements}, **options)


@pytest.fixture(params=["bytes", "dicts"])
def merge(request: pytest.FixtureRequest) -> Any:
    """merge_chunks over each chunk's response body as the reader reads it (Arrow's JSON
    reader), or over its elements as dicts (orjson's, for the bodies that reader refuses)."""
    if request.param == "dicts":
        return merge_chunks

    def from_bodies(chunks: list[list[dict[str, Any]]], metrics: Any) -> pa.Table:
        elements = [read_elements(_body(chunk), metrics) for chunk in chunks]
        assert all(isinstance(table, pa.Table) for table in elements)
        return merge_tables([chunk_table(table, metrics) for table in elements], metrics)

    return from_bodies


def test_merge_fills_a_row_suppressed_from_one_chunk_with_zero(merge: Any) -> None:
    # given: campaign 12 had impressions but no video views, so chunk two omits its row
    day = date(2024, 1, 2)
    metrics = [METRIC["impressions"], METRIC["costInUsd"], METRIC["videoViews"]]
    chunk_one = [
        element(CAMPAIGN_URNS[0], day, impressions=5, costInUsd="1.5"),
        element(CAMPAIGN_URNS[1], day, impressions=3, costInUsd="0.25"),
    ]
    chunk_two = [element(CAMPAIGN_URNS[0], day, videoViews=2)]

    # when
    rows = merge([chunk_one, chunk_two], metrics).to_pylist()

    # then
    assert rows == [
        {"pivot_value": CAMPAIGN_URNS[0], "start_date": day, "end_date": day,
         "impressions": 5, "cost_in_usd": Decimal("1.5"), "video_views": 2},
        {"pivot_value": CAMPAIGN_URNS[1], "start_date": day, "end_date": day,
         "impressions": 3, "cost_in_usd": Decimal("0.25"), "video_views": 0},
    ]  # fmt: skip


def test_merge_keeps_a_row_that_only_a_later_chunk_has(merge: Any) -> None:
    day = date(2024, 1, 2)
    metrics = [METRIC["impressions"], METRIC["viralImpressions"]]

    rows = merge([[], [element(CAMPAIGN_URNS[2], day, viralImpressions=7)]], metrics).to_pylist()

    assert rows == [
        {"pivot_value": CAMPAIGN_URNS[2], "start_date": day, "end_date": day,
         "impressions": 0, "viral_impressions": 7},
    ]  # fmt: skip


def test_merge_ignores_fields_it_did_not_ask_for(merge: Any) -> None:
    day = date(2024, 1, 2)
    drifted = element(CAMPAIGN_URNS[0], day, impressions=1, brandNewMetric="x", pivot="CAMPAIGN")

    rows = merge([[drifted]], [METRIC["impressions"]]).to_pylist()

    assert set(rows[0]) == {"pivot_value", "start_date", "end_date", "impressions"}


def test_merge_orders_rows_by_date_then_pivot_value_whatever_the_response_order(merge: Any) -> None:
    days = [date(2024, 1, 3), date(2024, 1, 1)]
    elements = [element(urn, day, impressions=1) for day in days for urn in reversed(CAMPAIGN_URNS)]

    rows = merge([elements], [METRIC["impressions"]]).to_pylist()

    assert [(row["start_date"], row["pivot_value"]) for row in rows] == [
        (day, urn) for day in sorted(days) for urn in CAMPAIGN_URNS
    ]


def test_merge_rejects_a_row_repeated_within_one_chunk(merge: Any) -> None:
    day = date(2024, 1, 2)
    repeated = [element(CAMPAIGN_URNS[0], day, impressions=1)] * 2

    with pytest.raises(ValueError, match=r"chunk repeats the row for .*sponsoredCampaign:11"):
        merge([repeated], [METRIC["impressions"]])


def test_merge_rejects_an_element_without_a_date_range(merge: Any) -> None:
    with pytest.raises(ValueError, match="pivotValues/dateRange"):
        merge([[{"pivotValues": [CAMPAIGN_URNS[0]], "impressions": 1}]], [METRIC["impressions"]])


def test_a_body_the_arrow_reader_refuses_gives_the_same_rows_through_orjson() -> None:
    # given: money as a JSON number and a count as a string, which LinkedIn does not send
    day = date(2024, 1, 2)
    metrics = [METRIC["impressions"], METRIC["costInUsd"]]
    typed = [element(CAMPAIGN_URNS[0], day, impressions=5, costInUsd="1.5")]
    odd = [element(CAMPAIGN_URNS[0], day, impressions="5", costInUsd=1.5)]

    # when
    read_typed, read_odd = read_elements(_body(typed), metrics), read_elements(_body(odd), metrics)

    # then
    assert isinstance(read_typed, pa.Table)
    assert isinstance(read_odd, list)
    assert chunk_table(read_odd, metrics).equals(chunk_table(read_typed, metrics))


def test_an_indented_body_reads_like_a_compact_one() -> None:
    metrics = [METRIC["impressions"]]
    elements = [element(urn, date(2024, 1, 2), impressions=1) for urn in CAMPAIGN_URNS]

    indented = read_elements(_body(elements, option=orjson.OPT_INDENT_2), metrics)

    assert isinstance(indented, pa.Table)
    assert indented.equals(read_elements(_body(elements), metrics))


def test_a_body_without_elements_reads_as_none_and_one_not_json_fails() -> None:
    metrics = [METRIC["impressions"]]

    assert read_elements(b'{"paging": {}}', metrics) is None
    assert read_elements(b'{"elements": "none"}', metrics) is None
    with pytest.raises(ValueError, match="unexpected content after document"):
        read_elements(b'{"elements": []} {"elements": []}', metrics)


# --- fetching ------------------------------------------------------------------------------------


def _expected_rows(
    facts: Mapping[tuple[str, date], Mapping[str, Any]], metrics
) -> list[dict[str, Any]]:
    rows = []
    for (urn, day), values in sorted(facts.items(), key=lambda item: (item[0][1], item[0][0])):
        row = {"pivot_value": urn, "start_date": day, "end_date": day}
        row.update(
            {metric.column: parse_metric(metric, values.get(metric.api_name)) for metric in metrics}
        )
        rows.append(row)
    return rows


def test_requests_are_chunks_times_windows_when_no_response_reaches_the_cap() -> None:
    # given: the full catalogue (6 chunks) over three windows well below the cap
    facts = daily_facts(9)
    api = FakeAnalyticsApi(facts, cap=settings.ANALYTICS_ROW_CAP)
    windows = [
        Window(date(2024, 1, 1), date(2024, 1, 3)),
        Window(date(2024, 1, 4), date(2024, 1, 9)),
    ]
    metrics = metrics_for_pivot("CAMPAIGN")

    # when
    fetch = fetch_analytics(api, windows, metrics)
    results = list(fetch)

    # then
    assert [window for window, _ in results] == windows
    assert fetch.requests == len(api.calls) == 2 * 6
    assert fetch.split_windows == 0
    assert all(len(str(call["fields"]).split(",")) <= 20 for call in api.calls)
    assert [row for _, rows in results for row in rows.to_pylist()] == _expected_rows(
        facts, metrics
    )


def test_window_reaching_the_cap_is_discarded_and_fetched_in_halves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: 3 campaigns x 20 days = 60 rows, and an API that truncates at 25 elements
    facts = daily_facts(20)
    api = FakeAnalyticsApi(facts, cap=25)
    metrics = [*settings.METRICS[:18], METRIC["viralVideoViews"]]  # two chunks
    whole = Window(date(2024, 1, 1), date(2024, 1, 20))

    # when
    with caplog.at_level(logging.WARNING):
        fetch = fetch_analytics(api, [whole], metrics, cap=25)
        results = list(fetch)

    # then: 20 days -> 10 -> 5 (15 rows each), chronological, complete, no duplicates
    assert [window.days for window, _ in results] == [5, 5, 5, 5]
    rows = [row for _, window_rows in results for row in window_rows.to_pylist()]
    assert rows == _expected_rows(facts, metrics)
    assert fetch.split_windows == 3  # 20 days, then both 10-day halves
    assert (
        fetch.requests == len(api.calls) == 1 + 2 * 1 + 4 * 2
    )  # a capped window stops at its chunk
    assert "reached the 25-row cap" in caplog.text


def test_one_day_at_the_cap_raises_a_one_line_error() -> None:
    api = FakeAnalyticsApi(daily_facts(3), cap=3)
    day = Window(date(2024, 1, 2), date(2024, 1, 2))

    fetch = fetch_analytics(api, [day], [METRIC["impressions"]], cap=3)

    with pytest.raises(TruncatedAnalyticsError) as raised:
        list(fetch)
    message = str(raised.value)
    assert "\n" not in message
    for part in ("CAMPAIGN", ACCOUNT_URN, "2024-01-02", "3 rows"):
        assert part in message


def test_monthly_window_at_the_cap_splits_on_a_month_boundary() -> None:
    # given: 3 campaigns over Jan-Apr = 12 monthly rows; the API truncates at 10
    facts = daily_facts(121)
    api = FakeAnalyticsApi(facts, cap=10)

    # when
    windows = plan_month_windows(date(2024, 1, 9), date(2024, 4, 30))
    results = list(
        fetch_analytics(api, windows, [METRIC["impressions"]], granularity="MONTHLY", cap=10)
    )

    # then: two windows of two whole months, one row per campaign and month
    assert [window for window, _ in results] == [
        Window(date(2024, 1, 1), date(2024, 2, 29)),
        Window(date(2024, 3, 1), date(2024, 4, 30)),
    ]
    rows = [row for _, window_rows in results for row in window_rows.to_pylist()]
    assert [(row["start_date"], row["end_date"]) for row in rows[::3]] == [
        (date(2024, month, 1), _month_end(date(2024, month, 1))) for month in (1, 2, 3, 4)
    ]
    january = sum(
        v["impressions"]
        for (urn, d), v in facts.items()
        if urn == CAMPAIGN_URNS[0] and d.month == 1
    )
    assert rows[0]["impressions"] == january


def test_a_single_month_at_the_cap_loads_its_values_with_most_impressions_and_says_so() -> None:
    # given: 3 campaigns in January (campaign 13 with the most impressions, then 12), cap 2
    api = FakeAnalyticsApi(daily_facts(31), cap=2)
    january = Window(date(2024, 1, 1), date(2024, 1, 31))
    fetch = fetch_analytics(api, [january], [METRIC["impressions"]], granularity="MONTHLY", cap=2)

    # when
    [(window, rows)] = list(fetch)

    # then: asked again with sortBy, the two values with most impressions kept, one line said
    assert window == january
    assert api.calls[-1]["sortBy"] == {"field": "IMPRESSIONS", "order": "DESCENDING"}
    assert sorted(rows.column("pivot_value").to_pylist()) == CAMPAIGN_URNS[1:]
    uncut = fetch_analytics(
        FakeAnalyticsApi(daily_facts(31), cap=10),
        [january],
        [METRIC["impressions"]],
        granularity="MONTHLY",
    )
    assert rows.schema == next(uncut)[1].schema  # as any window reaches bronze
    [message] = fetch.truncated
    assert "\n" not in message
    for part in ("CAMPAIGN", "month of 2024-01-01", "loaded the 2 with the most impressions"):
        assert part in message


def test_a_single_month_of_two_metric_chunks_at_the_cap_raises() -> None:
    # rows cut at the cap in each chunk would not line up: no partial month then
    api = FakeAnalyticsApi(daily_facts(31), cap=2)
    window = Window(date(2024, 1, 1), date(2024, 1, 31))
    metrics = [*settings.METRICS[:18], METRIC["viralVideoViews"]]

    with pytest.raises(TruncatedAnalyticsError, match="single month of 2024-01-01"):
        list(fetch_analytics(api, [window], metrics, granularity="MONTHLY", cap=2))


@pytest.mark.parametrize(
    ("rows", "n_metrics", "expected"),
    [(182_500, 98, 13 * 6), (18_250, 18, 2), (14_999, 18, 1), (15_000, 18, 2), (0, 16, 1)],
)
def test_lower_bound_counts_windows_below_the_cap_times_chunks(
    rows: int, n_metrics: int, expected: int
) -> None:
    assert lower_bound_requests(rows, n_metrics) == expected
