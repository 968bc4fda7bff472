"""Fast checks of the independent LinkedIn emulator, spoken to with nothing but urllib."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from tests.emulator import Emulator, EmulatorConfig
from tests.emulator.data import DECIMAL_METRICS, METRICS

TODAY = date(2026, 3, 14)
STATUSES = "ACTIVE,PAUSED,ARCHIVED,COMPLETED,CANCELED,DRAFT,PENDING_DELETION,REMOVED"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(today=TODAY)) as emulator:
        yield emulator


def call(
    emu: Emulator,
    path: str,
    query: str = "",
    *,
    headers: dict[str, str | None] | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> tuple[int, Any]:
    base = {
        "Authorization": f"Bearer {emu.access_token}",
        "LinkedIn-Version": "202601",
        "X-Restli-Protocol-Version": "2.0.0",
    }
    merged = {k: v for k, v in {**base, **(headers or {})}.items() if v is not None}
    url = f"{emu.base_url}/{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(url, data=body, headers=merged, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def urns(kind: str, *ids: int) -> str:
    return "List(" + ",".join(quote(f"urn:li:{kind}:{i}", safe="") for i in ids) + ")"


def analytics(pivot: str, facet: str, start: date, end: date, fields: list[str]) -> str:
    return (
        f"q=analytics&pivot={pivot}&timeGranularity=DAILY&{facet}"
        f"&dateRange=(start:(year:{start.year},month:{start.month},day:{start.day}),"
        f"end:(year:{end.year},month:{end.month},day:{end.day}))"
        f"&fields={','.join(['dateRange', 'pivotValues', *fields])}"
    )


def parse(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if k in DECIMAL_METRICS else v for k, v in metrics.items()}


def test_paging_follows_next_page_token_through_short_pages(emu: Emulator) -> None:
    account = max(
        (a for a in emu.truth.accounts if not a["test"]),
        key=lambda a: sum(c["account_id"] == a["id"] for c in emu.truth.campaigns),
    )
    expected = sorted(c["id"] for c in emu.truth.campaigns if c["account_id"] == account["id"])
    query = f"q=search&search=(status:(values:List({STATUSES})))&pageSize=2"
    seen: list[int] = []
    short_but_not_last = False
    token: str | None = None
    while True:
        status, page = call(
            emu,
            f"adAccounts/{account['id']}/adCampaigns",
            query + (f"&pageToken={token}" if token else ""),
        )
        assert status == 200
        seen += [c["id"] for c in page["elements"]]
        token = page.get("metadata", {}).get("nextPageToken")
        if token is None:
            break
        short_but_not_last |= len(page["elements"]) < 2
    assert short_but_not_last
    assert sorted(seen) == expected
    assert len(seen) == len(set(seen))


def test_more_than_twenty_fields_is_refused(emu: Emulator) -> None:
    account = emu.truth.accounts[0]["id"]
    facet = f"accounts={urns('sponsoredAccount', account)}"
    twenty = analytics("CAMPAIGN", facet, TODAY - timedelta(days=9), TODAY, list(METRICS[:18]))
    assert call(emu, "adAnalytics", twenty)[0] == 200
    status, body = call(emu, "adAnalytics", twenty + ",likes")
    assert status == 400
    assert body["status"] == 400
    assert call(emu, "adAnalytics", twenty.replace("impressions", "pivotValue"))[0] == 400


def test_row_cap_truncates_silently() -> None:
    with Emulator(EmulatorConfig(today=TODAY, row_cap=5)) as small:
        accounts = ",".join(
            quote(f"urn:li:sponsoredAccount:{a['id']}", safe="") for a in small.truth.accounts
        )
        query = analytics(
            "CREATIVE", f"accounts=List({accounts})", small.first_day, TODAY, ["impressions"]
        )
        status, body = call(small, "adAnalytics", query)
        assert status == 200
        assert len(small.truth.daily("CREATIVE")) > 5
        assert len(body["elements"]) == 5
        assert set(body) == {"paging", "elements"}
        assert small.analytics_requests["analytics:CREATIVE"] == 1


def test_campaign_row_is_the_sum_of_its_creatives_rows(emu: Emulator) -> None:
    creatives_per_campaign: dict[int, int] = {}
    for creative in emu.truth.creatives:
        cid = creative["campaign_id"]
        creatives_per_campaign[cid] = creatives_per_campaign.get(cid, 0) + 1
    campaign = max(creatives_per_campaign, key=lambda c: creatives_per_campaign[c])
    facet = f"campaigns={urns('sponsoredCampaign', campaign)}"
    truth = emu.truth.daily("CAMPAIGN")
    for chunk in (METRICS[i : i + 18] for i in range(0, len(METRICS), 18)):
        fields = list(chunk)
        sums: dict[date, dict[str, Any]] = {}
        query = analytics("CREATIVE", facet, emu.first_day, TODAY, fields)
        for row in call(emu, "adAnalytics", query)[1]["elements"]:
            day = date(**row["dateRange"]["start"])
            for k, v in parse(row).items():
                if k in fields:
                    sums.setdefault(day, dict.fromkeys(fields, 0))[k] += v
        query = analytics("CAMPAIGN", facet, emu.first_day, TODAY, fields)
        campaign_rows = call(emu, "adAnalytics", query)[1]["elements"]
        assert len(campaign_rows) == len(sums)
        for row in campaign_rows:
            day = date(**row["dateRange"]["start"])
            assert row["pivotValues"] == [f"urn:li:sponsoredCampaign:{campaign}"]
            assert parse({k: row[k] for k in fields}) == sums[day]
            assert {k: truth[campaign, day][k] for k in fields} == sums[day]


def test_tunnelled_post_equals_get(emu: Emulator) -> None:
    account = emu.truth.accounts[1]["id"]
    query = analytics(
        "CAMPAIGN",
        f"accounts={urns('sponsoredAccount', account)}",
        emu.first_day,
        TODAY,
        ["impressions", "costInUsd"],
    )
    got = call(emu, "adAnalytics", query)
    tunnelled = call(
        emu,
        "adAnalytics",
        method="POST",
        body=query.encode(),
        headers={
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert got[0] == tunnelled[0] == 200
    assert got[1] == tunnelled[1]
    assert got[1]["elements"]
    assert call(emu, "adAnalytics", method="PUT", body=query.encode())[0] == 405


def test_version_and_token_checks(emu: Emulator) -> None:
    status, body = call(emu, "adAccounts", "q=search", headers={"LinkedIn-Version": None})
    assert (status, body["code"]) == (400, "VERSION_MISSING")
    status, body = call(emu, "adAccounts", "q=search", headers={"LinkedIn-Version": "202409"})
    assert (status, body["code"]) == (426, "NONEXISTENT_VERSION")
    status, body = call(emu, "adAccounts", "q=search", headers={"Authorization": "Bearer nope"})
    assert (status, body["code"]) == (401, "INVALID_ACCESS_TOKEN")
    assert call(emu, "nowhere")[0] == 404


def test_demographics_and_statistics(emu: Emulator) -> None:
    campaign, month, _ = min(emu.truth.monthly("MEMBER_JOB_FUNCTION"))
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    query = analytics(
        "MEMBER_JOB_FUNCTION",
        f"campaigns={urns('sponsoredCampaign', campaign)}",
        month,
        end,
        ["impressions", "clicks", "costInLocalCurrency"],
    )
    status, body = call(emu, "adAnalytics", query.replace("DAILY", "MONTHLY"))
    assert status == 200
    expected = {
        v: {k: m[k] for k in ("impressions", "clicks", "costInLocalCurrency")}
        for (c, mo, v), m in emu.truth.monthly("MEMBER_JOB_FUNCTION").items()
        if (c, mo) == (campaign, month)
    }
    served = {r["pivotValues"][0]: parse(r) for r in body["elements"]}
    assert {v: {k: m[k] for k in expected[v]} for v, m in served.items()} == expected
    assert all(m["impressions"] >= 3 for m in served.values())
    statistics = query.replace(
        "q=analytics&pivot=MEMBER_JOB_FUNCTION",
        "q=statistics&pivots=List(CAMPAIGN,MEMBER_JOB_FUNCTION)",
    )
    status, body = call(emu, "adAnalytics", statistics)
    assert (status, body.get("code")) == (400, "FIELD_INVALID")
