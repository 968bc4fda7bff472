"""Conversion rules and the statistics-finder tables (conversions by rule, delivery by device)
against a scripted API (httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import pyarrow as pa
import pytest

from ingest.linkedin_ads import breakdowns, restli, settings
from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.breakdowns import BREAKDOWNS, ConversionRules, statistics_params
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.config import SyncOptions
from ingest.linkedin_ads.reader import Deliveries
from ingest.linkedin_ads.stats import SyncStats

BY_RULE, BY_DEVICE = BREAKDOWNS
ACCOUNT = "urn:li:sponsoredAccount:7"


class _Entities:
    """An entity cache where every account can be read (and has no campaigns)."""

    def get(self, kind: str, account: int) -> list[dict[str, Any]]:
        return []


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> LinkedInClient:
    return LinkedInClient(
        base_url="https://api.example/rest",
        api_version="202610",
        access_token="t",
        transport=httpx.MockTransport(handler),
        max_attempts=1,
    )


def _query(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.url.query.decode()).items()}


def test_statistics_request_names_both_pivots_in_restli_2_syntax() -> None:
    params = statistics_params(
        pivots=BY_RULE.pivots,
        window=Window(date(2026, 1, 1), date(2026, 1, 31)),
        facet_name="accounts",
        facet_urns=[ACCOUNT],
        metrics=BY_RULE.metrics,
    )
    query = restli.encode_query(params)
    assert query.startswith(
        "q=statistics&pivots=List(CREATIVE,CONVERSION)&timeGranularity=(value:DAILY)"
        "&dateRange=(start:(year:2026,month:1,day:1),end:(year:2026,month:1,day:31))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A7)&fields=dateRange,pivotValues,"
    )
    assert query.endswith(
        "externalWebsiteConversions,externalWebsitePostClickConversions,"
        "externalWebsitePostViewConversions,conversionValueInLocalCurrency"
    )


def test_each_breakdown_fits_one_request_per_window() -> None:
    for breakdown in BREAKDOWNS:
        assert 1 <= len(breakdown.metrics) <= settings.METRICS_PER_CHUNK


def test_device_table_asks_for_no_metric_linkedin_does_not_serve_with_the_pivot() -> None:
    asked = {metric.api_name for metric in BY_DEVICE.metrics}
    assert {"impressions", "clicks", "costInLocalCurrency", "costInUsd"} <= asked
    assert not asked & {
        "externalWebsiteConversions",
        "conversionValueInLocalCurrency",
        "oneClickLeads",
        "approximateMemberReach",
    }


def test_conversion_rules_are_paged_by_offset_until_the_total() -> None:
    # given an API that returns at most two rules a page of three
    rules = [{"id": n, "account": ACCOUNT} for n in (11, 12, 13)]
    starts: list[int] = []

    def api(request: httpx.Request) -> httpx.Response:
        query = _query(request)
        assert request.url.path == "/rest/conversions"
        assert query["q"] == "account"
        assert unquote(query["account"]) == ACCOUNT
        start = int(query["start"])
        starts.append(start)
        page = rules[start : start + 2]
        return httpx.Response(200, json={"elements": page, "paging": {"total": 3}})

    # when the rules of the account are read
    found = ConversionRules(_client(api), _Entities(), SyncStats()).get(7)  # type: ignore[arg-type]

    # then every rule comes once, asked for from each offset
    assert found == rules
    assert starts == [0, 2]


def test_a_token_without_conversion_tracking_warns_once_and_asks_once() -> None:
    calls: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        message = "Not enough permissions to access: conversions.FINDER-account.20261001"
        return httpx.Response(
            403, json={"status": 403, "code": "ACCESS_DENIED", "message": message}
        )

    stats = SyncStats()
    rules = ConversionRules(_client(api), _Entities(), stats)  # type: ignore[arg-type]
    assert rules.get(7) is None
    assert rules.get(8) is None
    assert calls == ["/rest/conversions"]
    (warning,) = stats.warnings
    assert warning.startswith("conversions: not loaded, the API does not serve it")
    assert "403 ACCESS_DENIED" in warning
    assert stats.skipped_accounts == {}


def test_statistics_rows_keep_both_pivot_values_and_the_empty_device() -> None:
    # given a statistics answer with two pivot values per row, one device value empty
    def api(request: httpx.Request) -> httpx.Response:
        assert _query(request)["pivots"] == "List(CAMPAIGN,IMPRESSION_DEVICE_TYPE)"
        day = {"year": 2026, "month": 3, "day": 2}
        rows = [
            {"pivotValues": ["urn:li:sponsoredCampaign:5", device], "impressions": impressions}
            | {"dateRange": {"start": day, "end": day}}
            for device, impressions in (("MOBILE_APP", 7), ("", 2))
        ]
        return httpx.Response(200, json={"elements": rows})

    fetch = breakdowns._StatisticsFetch(
        _client(api),
        pivots=BY_DEVICE.pivots,
        granularity="DAILY",
        facet_name="accounts",
        facet_urns=[ACCOUNT],
        windows=[Window(date(2026, 3, 1), date(2026, 3, 2))],
        metrics=BY_DEVICE.metrics,
    )
    ((_, table),) = list(fetch)

    # when the joined key is split again
    rows = breakdowns.split_pivot_values(table).to_pylist()

    # then each row keeps its campaign and its device, the empty one included
    assert [(r["pivot_value"], r["breakdown_value"], r["impressions"]) for r in rows] == [
        ("urn:li:sponsoredCampaign:5", "", 2),
        ("urn:li:sponsoredCampaign:5", "MOBILE_APP", 7),
    ]
    assert fetch.requests == 1


def _options(row_cap: int) -> SyncOptions:
    """Sync options of account 7's readers: 2026-01-01..03-31, one request at a time."""
    return SyncOptions(
        account_ids=None,
        start_date=date(2026, 1, 1),
        today=date(2026, 3, 31),
        attribution_window_days=30,
        concurrency=1,
        row_cap=row_cap,
    )


def _by_rule_reader(api: Callable[[httpx.Request], httpx.Response], stats: SyncStats) -> Any:
    client = _client(api)
    entities = _Entities()
    return breakdowns.StatisticsReader(
        BY_RULE,
        rules=ConversionRules(client, entities, stats),  # type: ignore[arg-type]
        accounts=[7],
        entities=entities,
        client=client,
        options=_options(row_cap=15_000),
        stats=stats,
        requests=None,
        deliveries=Deliveries(),
    )


def test_a_statistics_row_without_two_pivot_values_fails_naming_them() -> None:
    values = pa.chunked_array([[["urn:li:sponsoredCampaign:1", "MOBILE"], ["urn:li:x:1"]]])
    with pytest.raises(ValueError, match=r"without two pivotValues: \['urn:li:x:1'\]"):
        breakdowns.joined_pivot_values(values)


def test_rules_the_run_could_not_read_leave_the_by_rule_state_where_it_was() -> None:
    # given a run stopped by the daily quota before it read an account's rules
    stats = SyncStats()
    stats.stop(RuntimeError("LinkedIn API 429: DAY limit"))
    reader = _by_rule_reader(lambda request: httpx.Response(500), stats)
    # then the by-rule table plans nothing for it and says so (None: the state must not move
    # to today, or the next run would skip the days before its attribution window)
    assert reader.plan(7, None) is None
    assert reader.plan(7, "2026-02-01") is None


def test_a_refused_rules_finder_leaves_the_by_rule_state_where_it_was() -> None:
    # given a token without conversion tracking
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"status": 403, "message": "Not enough permissions"})

    stats = SyncStats()
    reader = _by_rule_reader(api, stats)
    # then the table plans nothing, warns once, and a later run with the scope starts over
    assert reader.plan(7, None) is None
    assert [line.split(":", 1)[0] for line in stats.warnings] == [
        "conversions",
        "ad_analytics_by_conversion",
    ]


class _OneCampaign:
    """An entity cache with one account of one campaign, running since before the start."""

    def get(self, kind: str, account: int) -> list[dict[str, Any]]:
        return [{"id": 5, "status": "ACTIVE", "runSchedule": {"start": 0}}]


def _device_reader() -> breakdowns.StatisticsReader:
    """The device reader of account 7 (one campaign), 2026-01-01..03-31, a cap of 100 rows."""
    return breakdowns.StatisticsReader(
        BY_DEVICE,
        accounts=[7],
        entities=_OneCampaign(),
        client=None,
        options=_options(row_cap=100),
        stats=SyncStats(),
        requests=None,
        deliveries=Deliveries(),
    )


def test_device_windows_after_the_first_fill_the_whole_cap_with_the_measured_rows() -> None:
    # given: the device reader, a cap of 100 rows, one campaign delivering every day (at most
    # 5 rows a day, one per device)
    reader = _device_reader()
    first = reader.plan(7, None)
    assert first[0].windows == (Window(date(2026, 1, 1), date(2026, 1, 19)),)  # 95 rows

    # when: the first window returned 2 rows a day (38 of its 95)
    rest = reader.replan(first[0], 38)

    # then: the next windows expect 2 rows a day against 99% of the cap: 49 days (98 rows)
    assert rest[0].windows == (Window(date(2026, 1, 20), date(2026, 3, 9)),)


def test_device_windows_follow_the_rows_each_campaign_returned_per_day() -> None:
    # given: the device reader of the test above, whose first window returned 3 rows a day for
    # its one campaign (two days of rows)
    reader = _device_reader()
    first = reader.plan(7, None)
    days = [date(2026, 1, 1)] * 3 + [date(2026, 1, 2)] * 3
    reader._measure(
        7,
        pa.table(
            {
                "pivot_value": ["urn:li:sponsoredCampaign:5"] * 6,
                "breakdown_value": ["DESKTOP_WEB", "MOBILE_APP", "MOBILE_WEB"] * 2,
                "start_date": pa.array(days),
            }
        ),
    )

    # when
    rest = reader.replan(first[0], 6)

    # then: 3 rows a day at face value, below 99% of the cap: 32 days (96 rows)
    assert rest[0].windows == (Window(date(2026, 1, 20), date(2026, 2, 20)),)
    assert rest[0].expected_rows == 96
