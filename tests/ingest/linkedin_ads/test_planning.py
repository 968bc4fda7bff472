"""Planning from the same run's rows: demographic and creative requests follow what the campaigns
actually delivered, and fall back on schedules where the rows say nothing; each next daily window
is sized from the rows the window before it returned."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

import dlt
import pyarrow as pa
import pytest

from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.config import SyncOptions
from ingest.linkedin_ads.planning import Delivery, Task, delivered_share, plan_tasks
from ingest.linkedin_ads.reader import AnalyticsReader, Deliveries
from ingest.linkedin_ads.settings import METRICS
from ingest.linkedin_ads.stats import SyncStats

START, TODAY = date(2026, 1, 1), date(2026, 6, 30)
OPTIONS = SyncOptions(
    account_ids=None,
    start_date=START,
    today=TODAY,
    attribution_window_days=30,
    concurrency=1,
    row_cap=100,
)


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _urn(campaign_id: int) -> str:
    return f"urn:li:sponsoredCampaign:{campaign_id}"


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _delivery(
    start: date, days: dict[str, set[date]], conversions: dict[str, dict[date, int]] | None = None
) -> Delivery:
    """This run's daily campaign rows: the days each campaign had a row, and its conversions."""
    counts = conversions or {}
    rows = ((urn, day, counts.get(urn, {}).get(day)) for urn in days for day in days[urn])
    return Delivery.pack(start, rows)


# Every campaign is scheduled for the whole half year: only the rows tell them apart.
CAMPAIGNS = [{"id": i, "status": "ACTIVE", "runSchedule": {"start": _ms(START)}} for i in (1, 2, 3)]


def test_a_campaign_with_no_rows_in_a_month_is_not_asked_for_that_month() -> None:
    # given: campaign 1 delivered in February and March only, campaign 2 never, campaign 3 in June
    delivery = _delivery(
        START,
        {
            _urn(1): _days(date(2026, 2, 10), date(2026, 3, 5)),
            _urn(3): {date(2026, 6, 29)},
        },
    )

    # when
    tasks = plan_tasks(
        account_id=9,
        granularity="MONTHLY",
        campaigns=CAMPAIGNS,
        creatives=None,
        start=START,
        options=OPTIONS,
        delivery=delivery,
    )

    # then: one request each for the months it delivered in; none for campaign 2
    assert {task.campaign: task.windows for task in tasks} == {
        _urn(1): (Window(date(2026, 2, 1), date(2026, 3, 31)),),
        _urn(3): (Window(date(2026, 6, 1), TODAY),),
    }


def test_without_rows_of_this_run_demographics_follow_the_schedules() -> None:
    tasks = plan_tasks(
        account_id=9,
        granularity="MONTHLY",
        campaigns=CAMPAIGNS,
        creatives=None,
        start=START,
        options=OPTIONS,
    )
    assert [task.windows for task in tasks] == [(Window(START, TODAY),)] * 3


def test_days_before_the_rows_start_fall_back_on_the_schedule() -> None:
    # given: this run's rows cover June only, and campaign 2 did not deliver in June
    delivery = _delivery(date(2026, 6, 1), {_urn(1): {date(2026, 6, 3)}})
    tasks = plan_tasks(
        account_id=9,
        granularity="MONTHLY",
        campaigns=CAMPAIGNS[:2],
        creatives=None,
        start=date(2026, 5, 1),
        options=OPTIONS,
        delivery=delivery,
    )
    # then: campaign 2 is still asked for May, which the rows do not cover
    assert [task.windows for task in tasks] == [
        (Window(date(2026, 5, 1), TODAY),),
        (Window(date(2026, 5, 1), date(2026, 5, 31)),),
    ]


def _creatives(campaign_id: int, count: int, created: date) -> list[dict[str, object]]:
    return [
        {"id": f"c{campaign_id}-{i}", "campaign": _urn(campaign_id), "createdAt": _ms(created)}
        for i in range(count)
    ]


def test_creative_windows_count_only_delivering_campaigns_and_created_creatives() -> None:
    # given: 10 creatives per campaign, a cap of 100 rows; campaign 2 never delivered, and
    # campaign 3's creatives exist only from June 21
    creatives = [
        *_creatives(1, 10, START),
        *_creatives(2, 10, START),
        *_creatives(3, 10, date(2026, 6, 21)),
    ]
    delivery = _delivery(
        START, {_urn(1): _days(START, TODAY), _urn(3): _days(date(2026, 6, 1), TODAY)}
    )

    # when
    tasks = plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS,
        creatives=creatives,
        start=date(2026, 6, 1),
        options=OPTIONS,
        delivery=delivery,
    )

    # then: 10 rows a day until June 20, then 20; each window stays below 100 rows
    assert [task.windows[0] for task in tasks] == [
        Window(date(2026, 6, 1), date(2026, 6, 9)),
        Window(date(2026, 6, 10), date(2026, 6, 18)),
        Window(date(2026, 6, 19), date(2026, 6, 23)),
        Window(date(2026, 6, 24), date(2026, 6, 27)),
        Window(date(2026, 6, 28), TODAY),
    ]
    # by schedules alone (20 rows a day, 30 from June 21): windows of 4 days, then 3
    by_schedule = plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS,
        creatives=creatives,
        start=date(2026, 6, 1),
        options=OPTIONS,
    )
    assert len(by_schedule) == 9
    assert len(tasks) < len(by_schedule)


def test_deliveries_answer_only_for_accounts_read_completely() -> None:
    deliveries = Deliveries()
    rows = pa.table(
        {
            "pivot_value": [_urn(1), _urn(1), _urn(2)],
            "start_date": pa.array([date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 2)]),
            "impressions": [1, 2, 3],
        }
    )
    deliveries.record(9, rows)
    assert deliveries.get(9) is None  # still reading
    deliveries.complete(9, date(2026, 6, 1))
    assert deliveries.get(9) == _delivery(
        date(2026, 6, 1),
        {_urn(1): {date(2026, 6, 1), date(2026, 6, 2)}, _urn(2): {date(2026, 6, 2)}},
    )
    assert deliveries.get(8) is None


def test_a_delivery_answers_per_campaign_and_day_from_its_start() -> None:
    delivery = _delivery(
        date(2026, 6, 1),
        {_urn(1): {date(2026, 5, 31), date(2026, 6, 2), date(2026, 6, 5)}},
        {_urn(1): {date(2026, 6, 5): 300}},
    )
    assert [delivery.delivered(_urn(1), date(2026, 6, d)) for d in range(1, 7)] == [
        False, True, False, False, True, False,
    ]  # fmt: skip
    assert delivery.conversions(_urn(1), date(2026, 6, 5)) == 300
    assert delivery.conversions(_urn(1), date(2026, 6, 2)) == 0
    # a day before its start, and a campaign without rows, had none
    assert not delivery.delivered(_urn(1), date(2026, 5, 31))
    assert not delivery.delivered(_urn(2), date(2026, 6, 2))


@pytest.mark.parametrize(
    ("expected", "rows", "share"),
    [(200, 150, 0.75), (80, 100, 1.25), (200, 0, None), (0, 5, None)],
)
def test_delivered_share_is_rows_over_expected_rows_unless_either_is_zero(
    expected: int, rows: int, share: float | None
) -> None:
    assert delivered_share(expected, rows) == share


def _creative_tasks(share: float | None, start: date = date(2026, 6, 1)) -> list[Any]:
    # one campaign delivering every day with 10 creatives: 10 expected rows a day, cap 100
    return plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS[:1],
        creatives=_creatives(1, 10, START),
        start=start,
        options=OPTIONS,
        delivery=_delivery(START, {_urn(1): _days(START, TODAY)}),
        share=share,
    )


def test_a_measured_share_sizes_the_windows_against_most_of_the_cap() -> None:
    # by the estimate: windows of 9 days (90 rows; 100 would reach the cap)
    estimated = _creative_tasks(None)
    assert estimated[0].windows == (Window(date(2026, 6, 1), date(2026, 6, 9)),)
    assert estimated[0].expected_rows == 90
    # half the expected rows came: 5 a day, windows of 19 days (95 rows, below 99% of the cap);
    # a task still states the estimate's rows, so that the next share is measured against them
    measured = _creative_tasks(0.5)
    assert measured[0].windows == (Window(date(2026, 6, 1), date(2026, 6, 19)),)
    assert measured[0].expected_rows == 190
    assert [task.windows[0].end for task in measured[:2]] == [date(2026, 6, 19), TODAY]


class _Entities:
    """The reader's view of the entity cache: one account's campaigns and creatives."""

    def get(self, kind: str, account_id: int) -> list[dict[str, Any]]:
        return CAMPAIGNS[:1] if kind == "campaigns" else _creatives(1, 10, START)


def _creative_reader(
    accounts: list[int], reader: type[AnalyticsReader] = AnalyticsReader
) -> AnalyticsReader:
    """The creative table's reader, this run's campaign rows recorded for `accounts`: campaign 1
    delivered every day."""
    deliveries = Deliveries()
    days = sorted(_days(START, TODAY))
    for account_id in accounts:
        campaign_rows = pa.table({"pivot_value": [_urn(1)] * len(days), "start_date": days})
        deliveries.record(account_id, campaign_rows)
        deliveries.complete(account_id, START)
    return reader(
        table="ad_analytics_by_creative",
        pivot="CREATIVE",
        granularity="DAILY",
        metrics=METRICS,
        accounts=accounts,
        entities=_Entities(),  # type: ignore[arg-type]
        client=None,  # type: ignore[arg-type]
        options=OPTIONS,
        stats=SyncStats(),
        requests=None,  # type: ignore[arg-type]
        deliveries=deliveries,
    )


def test_the_reader_plans_the_next_window_from_the_rows_the_last_one_returned() -> None:
    # given: the creative table's reader, this run's campaign rows recorded for account 9
    reader = _creative_reader([9])
    first = reader.plan(9, loaded_through="2026-07-01")  # re-reads from June 2
    assert first[0].windows == (Window(date(2026, 6, 2), date(2026, 6, 10)),)

    # when: the first window returned 45 of its 90 expected rows
    rest = reader.replan(first[0], 45)

    # then: the rest starts the next day and expects half the rows
    assert rest == _creative_tasks(0.5, start=date(2026, 6, 11))
    assert rest[0].windows == (Window(date(2026, 6, 11), date(2026, 6, 29)),)
    # a window that returned nothing leaves the estimate as it was
    assert reader.replan(first[0], 0) == _creative_tasks(None, start=date(2026, 6, 11))


class _HalfFullReader(AnalyticsReader):
    """The creative table's reader against an API whose windows return half their expected
    rows; it records the tasks in the order they were sent."""

    sent: list[Task]

    def run(self, task: Task) -> pa.Table:
        self.sent.append(task)
        return pa.table({"pivot_value": [_urn(1)] * (task.expected_rows // 2)})


def test_one_accounts_first_window_goes_ahead_and_the_others_plan_from_its_share() -> None:
    # given: two accounts, each with one campaign delivering every day (10 creatives: the
    # estimate expects 10 rows a day), and an API that returns half of that
    reader = _creative_reader([8, 9], _HalfFullReader)
    assert isinstance(reader, _HalfFullReader)
    reader.sent = []
    reader.bind({"loaded_through": {"8": "2026-07-01", "9": "2026-07-01"}})  # from June 2 on

    # when
    list(reader._tasks())

    # then: account 8's first window (9 days, by the estimate) went alone; account 9's first was
    # planned from its share, with a margin (0.55 of the estimate: 17 days, not 9)
    first, second = reader.sent[0], next(t for t in reader.sent if t.account_id == 9)
    assert (first.account_id, first.windows) == (8, (Window(date(2026, 6, 2), date(2026, 6, 10)),))
    assert (second.account_id, second.windows) == (
        9,
        (Window(date(2026, 6, 2), date(2026, 6, 18)),),
    )
    # and every day through today was read for both
    for account_id in (8, 9):
        windows = [t.windows[0] for t in reader.sent if t.account_id == account_id]
        assert (windows[0].start, windows[-1].end) == (date(2026, 6, 2), TODAY)
        assert all(a.end + timedelta(days=1) == b.start for a, b in itertools.pairwise(windows))


def _device_tasks(share: float | None) -> list[Any]:
    # one campaign delivering every day, at most 5 rows a day (one per device), cap 100
    return plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS[:1],
        creatives=None,
        start=date(2026, 5, 1),
        options=OPTIONS,
        delivery=_delivery(START, {_urn(1): _days(START, TODAY)}),
        share=share,
        rows_per_entity=5,
    )


def test_several_rows_per_entity_count_against_the_whole_cap_once_a_share_is_measured() -> None:
    # by the estimate: 5 rows a day, windows of 19 days (95 rows)
    estimated = _device_tasks(None)
    assert estimated[0].windows == (Window(date(2026, 5, 1), date(2026, 5, 19)),)
    assert estimated[0].expected_rows == 95
    # half of them came (2.5 rows a day): the share already counts rows, so windows of 39 days
    # (97.5 rows, below 99% of the cap), not a fifth of that
    measured = _device_tasks(0.5)
    assert measured[0].windows == (Window(date(2026, 5, 1), date(2026, 6, 8)),)
    assert measured[0].expected_rows == 195


def test_by_rule_windows_expect_rows_only_where_the_campaign_converted() -> None:
    # given: 10 creatives delivering every day; the campaign converted on two days of June only
    # (3 conversions on June 5, 40 on June 20); this run's rows cover June
    delivery = _delivery(
        date(2026, 6, 1),
        {_urn(1): _days(START, TODAY)},
        {_urn(1): {date(2026, 6, 5): 3, date(2026, 6, 20): 40}},
    )

    # when
    tasks = plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS[:1],
        creatives=_creatives(1, 10, START),
        start=date(2026, 5, 20),
        options=OPTIONS,
        delivery=delivery,
        converted_only=True,
    )

    # then: May's days follow the schedule (10 rows a day, windows of 9 days), June expects
    # 3 + 10 rows (no more converting creatives than conversions): May 29 on fits one window
    assert [task.windows[0] for task in tasks] == [
        Window(date(2026, 5, 20), date(2026, 5, 28)),
        Window(date(2026, 5, 29), TODAY),
    ]
    assert [task.expected_rows for task in tasks] == [90, 43]


def test_deliveries_keep_the_conversions_of_each_campaign_day() -> None:
    deliveries = Deliveries()
    deliveries.record(
        9,
        pa.table(
            {
                "pivot_value": [_urn(1), _urn(1)],
                "start_date": pa.array([date(2026, 6, 1), date(2026, 6, 2)]),
                "external_website_conversions": pa.array([None, 4], pa.int64()),
            }
        ),
    )
    deliveries.complete(9, date(2026, 6, 1))
    delivery = deliveries.get(9)
    assert delivery is not None
    assert delivery == _delivery(
        date(2026, 6, 1),
        {_urn(1): {date(2026, 6, 1), date(2026, 6, 2)}},
        {_urn(1): {date(2026, 6, 2): 4}},
    )
    assert [delivery.conversions(_urn(1), date(2026, 6, d)) for d in (1, 2)] == [0, 4]


def test_measured_campaigns_expect_their_own_rows_per_day_the_others_the_most() -> None:
    # given: campaign 1 returned 2 rows a day so far, campaign 2 nothing yet (5 rows a day at
    # most); both deliver every day
    tasks = plan_tasks(
        account_id=9,
        granularity="DAILY",
        campaigns=CAMPAIGNS[:2],
        creatives=None,
        start=date(2026, 6, 1),
        options=OPTIONS,
        delivery=_delivery(START, {_urn(1): _days(START, TODAY), _urn(2): _days(START, TODAY)}),
        share=1.0,
        rows_per_entity=5,
        measured={_urn(1): 2.0},
    )
    # then: 7 rows a day, windows of 14 days (98 rows, below 99% of the cap)
    assert tasks[0].windows == (Window(date(2026, 6, 1), date(2026, 6, 14)),)
    assert tasks[0].expected_rows == 98


class _ThreeBatchReader(AnalyticsReader):
    """A reader whose table is three batches; it records each batch as it is gathered."""

    gathered: list[int]

    def _tasks(self) -> Iterator[pa.Table]:
        for batch in range(3):
            self.gathered.append(batch)
            yield pa.table({"batch": [batch]})


def test_a_reader_gathers_its_next_batch_only_once_dlt_has_taken_the_last() -> None:
    # given a reader started ahead of dlt
    reader = _creative_reader([9], _ThreeBatchReader)
    assert isinstance(reader, _ThreeBatchReader)
    reader.gathered = []
    reader.bind({})
    reader.start()

    # when dlt has not taken anything yet, the reader holds the first batch and no second
    time.sleep(0.3)  # time to gather more, were it to (a queued batch would not stop it)
    assert reader.gathered == [0]

    # then every batch still reaches dlt, in order
    with patch.object(dlt.current, "resource_state", return_value={}):
        assert [rows["batch"][0].as_py() for rows in reader.rows()] == [0, 1, 2]
    assert reader.gathered == [0, 1, 2]
