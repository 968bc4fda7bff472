"""Reading side by side: every account's entities are fetched at once (one list at a time per
account), and the analytics tables that plan from the daily campaign rows are read together in
the background, before dlt reaches them (reader.py, entities.py).

A scripted API holds the first request of each party (an account, a table) until a second party
has sent one too. Read one after another, the first party's request waits alone (its table or
account cannot finish, so the next never begins) and the gate records that it was missed.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import pyarrow as pa
import pytest
from dlt.extract.source import DltSource

from ingest.linkedin_ads import SyncStats, linkedin_ads
from ingest.linkedin_ads.client import LinkedInClient

TODAY = datetime.now(UTC).date()
DELIVERED = TODAY - timedelta(days=3)
ACCOUNTS = (1, 2)


class _Gate:
    """Holds each party's first request until `parties` distinct parties have sent one; a party
    left waiting alone for `timeout` seconds marks the gate missed and lets everything through."""

    def __init__(self, parties: int = 2, timeout: float = 10.0) -> None:
        self.parties, self.timeout = parties, timeout
        self.seen: list[str] = []
        self.missed_by: str | None = None
        self._condition = threading.Condition()

    def pass_(self, party: str) -> None:
        """Hold the party's first request (its later ones pass, so that the requests it sent
        meanwhile do not fill the request pool)."""
        with self._condition:
            if party in self.seen:
                return
            self.seen.append(party)
            self._condition.notify_all()
            met = self._condition.wait_for(
                lambda: len(self.seen) >= self.parties or self.missed_by is not None,
                timeout=self.timeout,
            )
            if not met:
                self.missed_by = party
                self._condition.notify_all()


def _day(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


class _ScriptedApi:
    """Two ad accounts, each with one campaign that delivered on one day and one creative;
    every other list is empty. `entities` gates the accounts' entity lists, `followers` the
    adAnalytics tables other than the daily campaign table; the entity lists of `refused`
    accounts answer 403, and `overlapped` records accounts asked for twice at once."""

    def __init__(self) -> None:
        self.entities = _Gate()
        self.followers = _Gate()
        self.refused: set[int] = set()  # accounts whose entity lists answer 403
        self.overlapped: set[int] = set()  # accounts with two entity requests in flight at once
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/rest/")
        query = {key: values[-1] for key, values in parse_qs(request.url.query.decode()).items()}
        if path == "adAccounts":
            return self._page(
                [{"id": account, "name": f"Account {account}"} for account in ACCOUNTS]
            )
        if path.startswith("adAccounts/"):
            account = int(path.split("/")[1])
            self.entities.pass_(f"account {account}")
            return self._entity_page(account, path.rsplit("/", 1)[1])
        if path == "adAnalytics":
            # Rest.li values as the client sends them: pivot=(value:CAMPAIGN), pivots=List(...)
            table = f"{query['q']} {query.get('pivot') or query.get('pivots')} "
            table += query["timeGranularity"]
            if table == "analytics (value:CAMPAIGN) (value:DAILY)":
                return self._campaign_rows(unquote(query["accounts"]))
            self.followers.pass_(table)
        return self._page([])

    def _entity_page(self, account: int, kind: str) -> httpx.Response:
        with self._lock:
            if account in self._in_flight:
                self.overlapped.add(account)
            self._in_flight.add(account)
        try:
            time.sleep(0.05)  # long enough for another reader to ask for the same account
            if account in self.refused:
                error = {
                    "status": 403,
                    "code": "ACCESS_DENIED",
                    "message": "Not enough permissions",
                }
                return httpx.Response(403, json=error)
            return self._page(self._entities(account, kind))
        finally:
            with self._lock:
                self._in_flight.discard(account)

    @staticmethod
    def _page(elements: list[dict[str, Any]]) -> httpx.Response:
        return httpx.Response(200, json={"elements": elements, "paging": {}, "metadata": {}})

    @staticmethod
    def _entities(account: int, kind: str) -> list[dict[str, Any]]:
        campaign = f"urn:li:sponsoredCampaign:{account}0"
        if kind == "adCampaigns":
            return [
                {
                    "id": account * 10,
                    "account": f"urn:li:sponsoredAccount:{account}",
                    "status": "ACTIVE",
                    "runSchedule": {"start": _ms(TODAY - timedelta(days=30))},
                }
            ]
        if kind == "creatives":
            return [
                {
                    "id": f"urn:li:sponsoredCreative:{account}00",
                    "campaign": campaign,
                    "account": f"urn:li:sponsoredAccount:{account}",
                    "createdAt": _ms(TODAY - timedelta(days=30)),
                }
            ]
        return []

    @staticmethod
    def _campaign_rows(facet: str) -> httpx.Response:
        account = next(a for a in ACCOUNTS if f"sponsoredAccount:{a})" in facet)
        row = {
            "pivotValues": [f"urn:li:sponsoredCampaign:{account}0"],
            "dateRange": {"start": _day(DELIVERED), "end": _day(DELIVERED)},
            "impressions": 100,
            "clicks": 3,
            "costInLocalCurrency": "12.5",
        }
        return httpx.Response(200, json={"elements": [row], "paging": {}})


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> _ScriptedApi:
    scripted = _ScriptedApi()

    class ScriptedClient(LinkedInClient):
        def __init__(self, **settings: Any) -> None:
            super().__init__(**settings, transport=httpx.MockTransport(scripted))

    monkeypatch.setattr("ingest.linkedin_ads.LinkedInClient", ScriptedClient)
    return scripted


def _source(**settings: Any) -> DltSource:
    """The source on the scripted API (the `api` fixture), reading the last ten days."""
    return linkedin_ads(
        access_token="t",
        base_url="https://api.example/rest",
        start_date=(TODAY - timedelta(days=10)).isoformat(),
        concurrency=4,  # requests of two parties in flight at once
        **settings,
    )


def test_every_accounts_entities_are_fetched_at_once(api: _ScriptedApi) -> None:
    # given two accounts whose entity lists answer only while both have one asked for
    # when the source is read
    list(_source())
    # then both accounts' lists were asked for side by side, not one account after the other
    assert api.entities.missed_by is None, f"{api.entities.missed_by} was read alone"
    assert sorted(api.entities.seen) == ["account 1", "account 2"]


def test_tables_planned_from_campaign_rows_are_read_before_dlt_reaches_them(
    api: _ScriptedApi,
) -> None:
    # given adAnalytics tables (besides the daily campaign table) that answer only while a
    # second such table has a request in flight
    # when the source is read (dlt takes its resources one after another)
    list(_source())
    # then two of them were read at once: dlt was still on the first when the second began
    assert api.followers.missed_by is None, f"{api.followers.missed_by} was read alone"
    # ... among them the demographic tables, which ask only for campaigns the rows say delivered
    assert any("MEMBER_" in table for table in api.followers.seen), api.followers.seen


def test_a_table_left_out_of_the_run_is_never_read(api: _ScriptedApi) -> None:
    # given a run of the daily campaign table alone (with its entities)
    source = _source().with_resources("ad_accounts", "campaigns", "ad_analytics_by_campaign")
    # when it is read
    items = list(source)
    # then its rows were read, but not the tables that plan from them (their states stay)
    assert any(isinstance(item, pa.Table) and item.num_rows for item in items)
    assert api.followers.seen == []


def test_an_accounts_lists_are_fetched_one_at_a_time_and_a_refusal_warns_once(
    api: _ScriptedApi,
) -> None:
    # given an account the token may not read, whose lists the entity resources and the
    # campaign table's reader (started with the run) both ask for
    api.refused.add(2)
    stats = SyncStats()
    # when the source is read
    list(_source(stats=stats))
    # then its lists were never asked for twice at once, and it was skipped with one warning
    assert api.overlapped == set()
    assert [warning for warning in stats.warnings if "skipped" in warning] == [
        "ad account 2 skipped: LinkedIn API 403 ACCESS_DENIED: Not enough permissions "
        "(GET adAccounts/2/adCampaignGroups)"
    ]
