"""Invariants of the seeded advertiser, checked through the API and against the truth."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sandbox_helpers import Api, account_query

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.sandbox.analytics import AnalyticsEngine
from ingest.sandbox.analytics_request import AnalyticsRequest
from ingest.sandbox.contract import ADDITIVE_METRICS
from ingest.sandbox.data import generate

# 18 metrics and the two row fields: the most one request may ask for.
CHUNKS = [list(ADDITIVE_METRICS[i : i + 18]) for i in range(0, len(ADDITIVE_METRICS), 18)]


def served(api: Api, pivot: str, account: int) -> dict[tuple[str, date], dict[str, Any]]:
    """Every metric per (pivot value, day) for an account, merged over field chunks."""
    merged: dict[tuple[str, date], dict[str, Any]] = defaultdict(dict)
    for chunk in CHUNKS:
        query = account_query(api, pivot, account, fields=["dateRange", "pivotValues", *chunk])
        for row in api.ok("adAnalytics", query)["elements"]:
            d = row["dateRange"]["start"]
            key = (row["pivotValues"][0], date(d["year"], d["month"], d["day"]))
            merged[key].update(
                {
                    k: Decimal(v) if isinstance(v, str) else v
                    for k, v in row.items()
                    if k not in ("dateRange", "pivotValues")
                }
            )
    return merged


def test_campaign_rows_are_the_sums_of_their_creative_rows_for_every_metric(api: Api) -> None:
    truth = api.sandbox.truth
    for account in (a["id"] for a in truth.accounts if not a["test"]):
        creatives = served(api, "CREATIVE", account)
        campaigns = served(api, "CAMPAIGN", account)
        owner: dict[str, str] = {}
        for campaign in truth.campaigns_of(account):
            for urn in truth.creatives_of(campaign=campaign):
                owner[urn] = f"urn:li:sponsoredCampaign:{campaign}"
        sums: dict[tuple[str, date], Counter[str]] = defaultdict(Counter)
        for (urn, day), metrics in creatives.items():
            sums[(owner[urn], day)].update(metrics)
        assert set(sums) == set(campaigns)
        for key, metrics in campaigns.items():
            for name in ADDITIVE_METRICS:
                assert metrics.get(name, 0) == sums[key].get(name, 0), (key, name)


def test_account_rows_are_the_sums_of_campaign_rows(api: Api) -> None:
    truth = api.sandbox.truth
    for account in (a["id"] for a in truth.accounts if not a["test"]):
        campaigns = served(api, "CAMPAIGN", account)
        accounts = served(api, "ACCOUNT", account)
        by_day: dict[date, Counter[str]] = defaultdict(Counter)
        for (_, day), metrics in campaigns.items():
            by_day[day].update(metrics)
        assert {day for _, day in accounts} == set(by_day)
        for (_, day), metrics in accounts.items():
            assert all(metrics.get(n, 0) == by_day[day].get(n, 0) for n in metrics), day


def test_truth_levels_sum_up(api: Api) -> None:
    truth = api.sandbox.truth
    for account in truth.accounts:
        account_daily = truth.account_daily(account["id"])
        total: dict[date, Counter[str]] = defaultdict(Counter)
        for campaign in truth.campaigns_of(account["id"]):
            for day, metrics in truth.campaign_daily(campaign).items():
                total[day].update(metrics)
        assert set(total) == set(account_daily)
        for day, metrics in account_daily.items():
            assert all(metrics[n] == total[day].get(n, 0) for n in metrics), day


def test_the_advertiser_is_big_and_varied_enough(api: Api) -> None:
    truth = api.sandbox.truth
    assert len({a["currency"] for a in truth.accounts}) >= 3
    assert {"USD", "EUR", "GBP"} <= {a["currency"] for a in truth.accounts}
    assert len(truth.campaigns) >= 30
    assert len(truth.creatives) >= 200
    assert {"ACTIVE", "PAUSED", "COMPLETED", "ARCHIVED", "DRAFT"} <= {
        c["status"] for c in truth.campaigns
    }
    assert len({c["type"] for c in truth.campaigns}) >= 4
    assert len({c["costType"] for c in truth.campaigns}) >= 3
    kinds = Counter(
        c["content"]["reference"].split(":")[2] if "reference" in c["content"] else "textAd"
        for c in truth.creatives
    )
    assert set(kinds) == {"share", "ugcPost", "video", "adInMailContent", "adCreativeV2", "textAd"}
    named = sum("name" in c for c in truth.creatives)
    assert 0 < named < len(truth.creatives) / 2
    for creative in truth.creatives:
        if "textAd" in creative["content"]:
            assert set(creative["content"]["textAd"]) == {"headline", "description", "landingPage"}
    groups = {
        f"urn:li:sponsoredCampaignGroup:{g['id']}": g["account"] for g in truth.campaign_groups
    }
    assert all(groups[c["campaignGroup"]] == c["account"] for c in truth.campaigns)


def test_facts_stay_in_the_window_and_in_realistic_ranges(api: Api) -> None:
    truth = api.sandbox.truth
    assert truth.last_day - truth.first_day == timedelta(days=119)
    statuses = {c["id"]: c["status"] for c in truth.campaigns}
    zero_days = 0
    for campaign in truth.campaigns:
        daily = truth.campaign_daily(campaign["id"])
        if statuses[campaign["id"]] == "DRAFT":
            assert not daily
        for day in daily:
            assert truth.first_day <= day <= truth.last_day
    for urn in truth.creatives_of():
        for metrics in truth.creative_daily(urn).values():
            assert 0 < metrics["impressions"] <= 5000
            assert metrics["clicks"] <= metrics["impressions"]
            assert metrics["costInLocalCurrency"] >= 0
            assert metrics["costInLocalCurrency"] == metrics["costInLocalCurrency"].quantize(
                Decimal("0.000001")
            )
            zero_days += metrics["clicks"] == 0
    assert zero_days > 0


def test_usd_cost_uses_one_fixed_rate_per_currency(api: Api) -> None:
    truth = api.sandbox.truth
    for account in truth.accounts:
        rates = set()
        for metrics in truth.account_daily(account["id"]).values():
            if metrics["costInLocalCurrency"]:
                rates.add(metrics["costInUsd"] / metrics["costInLocalCurrency"])
        assert len(rates) <= 1
        if account["currency"] == "USD":
            assert rates <= {Decimal(1)}


def test_same_seed_same_data_other_seed_other_data() -> None:
    today = date(2026, 3, 15)
    first, again, other = generate(7, today), generate(7, today), generate(8, today)
    assert first.campaigns == again.campaigns
    assert first.creatives == again.creatives
    assert first.facts == again.facts
    assert first.campaigns != other.campaigns


def test_same_seed_serves_the_same_bytes() -> None:
    config = SandboxConfig(today=date(2026, 3, 15))
    answers = []
    for _ in range(2):
        with run_sandbox(config) as sandbox:
            api = Api(sandbox)
            account = sandbox.truth.accounts[1]["id"]
            answers.append(
                (
                    api.ok(f"adAccounts/{account}/creatives", "q=criteria"),
                    api.ok(
                        "adAnalytics",
                        account_query(api, "CREATIVE", account),
                    ),
                    api.http.get(f"{sandbox.address}/_sandbox/truth").json(),
                )
            )
            api.close()
    assert answers[0] == answers[1]


def test_truth_route_matches_python_truth(api: Api) -> None:
    truth = api.sandbox.truth
    body = api.http.get(f"{api.sandbox.address}/_sandbox/truth").json()
    account = truth.accounts[0]["id"]
    totals = truth.account_totals(account)
    for name in body["metrics"]:
        value = body["accounts"][str(account)][name]
        assert (Decimal(value) if isinstance(value, str) else value) == totals[name], name
    campaign = truth.campaigns[0]["id"]
    assert (
        body["campaigns"][str(campaign)]["impressions"]
        == truth.campaign_totals(campaign)["impressions"]
    )
    assert len(body["creatives"]) == len(truth.creatives)


def test_a_request_sums_each_fact_of_its_facets_and_days_once() -> None:
    # given: the engine's index by entity and day, and a request naming a campaign twice
    adv = generate(7, date(2026, 6, 30))
    campaign = adv.campaigns[0]
    urn = f"urn:li:sponsoredCampaign:{campaign['id']}"
    start, end = date(2026, 5, 20), date(2026, 6, 10)
    request = AnalyticsRequest(
        "analytics",
        ("CAMPAIGN",),
        "DAILY",
        start,
        end,
        {"campaigns": (urn, urn), "accounts": (campaign["account"],)},
        None,
        ("dateRange", "pivotValues", "impressions"),
        None,
    )

    # when
    rows = AnalyticsEngine(adv).rows(
        request, forbidden=frozenset(), row_cap=15_000, noise=0.0, extra_fields=False
    )

    # then: the same impressions per day as every fact of the campaign's creatives in the range
    expected: Counter[date] = Counter()
    for ref_urn, ref in adv.refs.items():
        if ref.campaign_id == campaign["id"]:
            for ordinal, metrics in adv.facts[ref_urn].items():
                if start.toordinal() <= ordinal <= end.toordinal():
                    expected[date.fromordinal(ordinal)] += metrics.get("impressions", 0)
    served_days = {date(**row["dateRange"]["start"]): row["impressions"] for row in rows}
    assert served_days == {day: count for day, count in expected.items() if count}
    assert served_days
