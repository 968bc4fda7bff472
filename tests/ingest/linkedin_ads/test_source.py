"""The source's settings validation, its planning and its reader (no HTTP beyond a mock
transport)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import httpx
import pytest

from ingest.linkedin_ads import ConfigError, SyncStats, linkedin_ads
from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.config import SyncOptions
from ingest.linkedin_ads.entities import read_accounts
from ingest.linkedin_ads.planning import (
    Task,
    complete_through,
    facet_groups,
    running_on,
    stale_days,
    start_for,
)
from ingest.linkedin_ads.reader import AnalyticsReader, Deliveries

TODAY = datetime.now(UTC).date()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "start_date",
            "2026-13-01",
            "SOURCES__LINKEDIN_ADS__START_DATE: '2026-13-01' is not a date",
        ),
        ("start_date", (TODAY + timedelta(days=3)).isoformat(), "is in the future"),
        ("account_ids", "12,abc", "SOURCES__LINKEDIN_ADS__ACCOUNT_IDS: 'abc' is not an ad account"),
        (
            "api_version",
            "2026-10",
            "SOURCES__LINKEDIN_ADS__API_VERSION: '2026-10' is not a version",
        ),
        ("attribution_window_days", -1, "ATTRIBUTION_WINDOW_DAYS: -1 is outside 0..365"),
        ("base_url", "api.linkedin.com", "SOURCES__LINKEDIN_ADS__BASE_URL: 'api.linkedin.com'"),
    ],
)
def test_bad_setting_fails_with_one_line_naming_it(setting: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        linkedin_ads(access_token="not-used", **{setting: value})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def _accounts_api(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json={"elements": [{"id": 1, "name": "A"}, {"id": 2}], "metadata": {}}
    )


def test_unknown_account_id_names_the_setting_and_the_readable_count() -> None:
    client = LinkedInClient(
        base_url="https://api.example/rest",
        api_version="202610",
        access_token="t",
        transport=httpx.MockTransport(_accounts_api),
    )
    assert [a["id"] for a in read_accounts(client, (2,))] == [2]
    with pytest.raises(ConfigError, match=r"ACCOUNT_IDS: no ad account 3 among the 2"):
        read_accounts(client, (1, 3))


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def test_campaign_runs_only_inside_its_schedule_and_never_as_draft() -> None:
    campaign = {"status": "ACTIVE", "runSchedule": {"start": _ms(date(2026, 1, 10))}}
    assert not running_on(campaign, date(2026, 1, 9))
    assert running_on(campaign, date(2026, 12, 31))
    campaign["runSchedule"]["end"] = _ms(date(2026, 1, 20))
    assert not running_on(campaign, date(2026, 1, 21))
    assert not running_on({"status": "DRAFT"}, date(2026, 1, 15))


def test_account_fits_one_facet_unless_a_day_may_reach_the_cap() -> None:
    campaigns = [{"id": i} for i in range(6)]
    assert facet_groups(campaigns, lambda c: 10, cap=100) == [None]
    groups = facet_groups(campaigns, lambda c: 40, cap=100)
    assert [len(group) for group in groups] == [2, 2, 2]


def test_state_advances_only_to_the_end_of_the_last_window_before_a_gap() -> None:
    windows = [Window(date(2026, 1, d), date(2026, 1, d + 4)) for d in (1, 6, 11)]
    tasks = [Task(1, "accounts", ("a",), (w,)) for w in windows]
    assert complete_through(tasks, [tasks[0], tasks[2]]) == date(2026, 1, 5)
    assert complete_through(tasks, [tasks[1], tasks[2]]) is None


def _options(window_days: int) -> SyncOptions:
    return SyncOptions(
        account_ids=None,
        start_date=date(2026, 1, 1),
        today=date(2026, 6, 30),
        attribution_window_days=window_days,
        concurrency=1,
        row_cap=15_000,
    )


def test_later_runs_reread_the_attribution_window_before_the_last_loaded_day() -> None:
    assert start_for(_options(30), "DAILY", None) == date(2026, 1, 1)
    assert start_for(_options(30), "DAILY", "2026-06-30") == date(2026, 6, 1)
    assert start_for(_options(0), "DAILY", "2026-06-30") == date(2026, 6, 30)
    assert start_for(_options(30), "MONTHLY", "2026-06-30") == date(2026, 6, 1)
    assert start_for(_options(31), "MONTHLY", "2026-06-30") == date(2026, 5, 1)


def test_a_window_shorter_than_linkedins_restatement_names_the_days_it_leaves_stale() -> None:
    # today 2026-06-30: LinkedIn may restate 2026-06-01 onwards
    assert stale_days(_options(30), "DAILY", "2026-06-30") is None
    assert stale_days(_options(7), "DAILY", None) is None
    stale = stale_days(_options(7), "DAILY", "2026-06-30")
    assert stale == Window(date(2026, 6, 1), date(2026, 6, 23))
    stats = SyncStats()
    reader = AnalyticsReader(
        table="t",
        pivot="CAMPAIGN",
        granularity="DAILY",
        metrics=(),
        accounts=(1, 2),
        entities=None,  # type: ignore[arg-type]
        client=None,  # type: ignore[arg-type]
        options=_options(7),
        stats=stats,
        requests=None,  # type: ignore[arg-type]
        deliveries=Deliveries(),
    )
    reader.warn_stale({"1": "2026-06-30", "2": "2026-06-30"})
    (warning,) = stats.warnings
    assert "days 2026-06-01..2026-06-23 may be stale" in warning
    assert "SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS is 7" in warning


class _RecordingClient(LinkedInClient):
    """A client on an API with one empty ad account, recording whether it was closed."""

    instances: ClassVar[list[_RecordingClient]] = []

    def __init__(self, **settings: Any) -> None:
        def api(request: httpx.Request) -> httpx.Response:
            elements = [{"id": 1}] if request.url.path.endswith("/adAccounts") else []
            return httpx.Response(200, json={"elements": elements, "metadata": {}})

        super().__init__(**settings, transport=httpx.MockTransport(api))
        self.closed = False
        _RecordingClient.instances.append(self)

    def close(self) -> None:
        self.closed = True
        super().close()


def test_the_client_is_closed_when_the_last_resource_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _RecordingClient.instances.clear()
    monkeypatch.setattr("ingest.linkedin_ads.LinkedInClient", _RecordingClient)
    source = linkedin_ads(access_token="t", base_url="https://api.example/rest")
    (client,) = _RecordingClient.instances
    assert not client.closed
    assert list(source) == [{"id": 1}]
    assert client.closed
