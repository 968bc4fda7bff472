"""The sandbox's conversions finder and its CONVERSION and IMPRESSION_DEVICE_TYPE pivots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sandbox_helpers import Api, account_urn, enc, first_account, restli_range

CONVERSION_FIELDS = (
    "dateRange,pivotValues,externalWebsiteConversions,externalWebsitePostClickConversions,"
    "externalWebsitePostViewConversions,conversionValueInLocalCurrency"
)


def _statistics(api: Api, pivots: str, fields: str, account: int | None = None) -> str:
    account = first_account(api) if account is None else account
    return (
        f"q=statistics&pivots=List({pivots})&timeGranularity=(value:DAILY)"
        f"&dateRange={restli_range(api.sandbox.truth.first_day)}"
        f"&accounts=List({enc(account_urn(account))})&fields={fields}"
    )


def _day(row: dict) -> date:
    start = row["dateRange"]["start"]
    return date(start["year"], start["month"], start["day"])


def _conversions(api: Api, account: int, start: int = 0, count: int = 500) -> dict:
    query = f"q=account&account={enc(account_urn(account))}&start={start}&count={count}"
    return api.ok("conversions", query)


def test_conversion_rules_are_paged_by_offset_and_carry_their_attribution_windows(
    api: Api,
) -> None:
    account = first_account(api)
    every = _conversions(api, account)
    rules = every["elements"]
    assert every["paging"]["total"] == len(rules) >= 2
    assert rules == api.sandbox.truth.conversion_rules(account)
    paged = [_conversions(api, account, start, 1)["elements"][0] for start in range(len(rules))]
    assert paged == rules
    for rule in rules:
        assert rule["account"] == account_urn(account)
        assert rule["postClickAttributionWindowSize"] in (1, 7, 30, 90)
        assert rule["viewThroughAttributionWindowSize"] in (1, 7, 30)
        assert isinstance(rule["enabled"], bool)
        assert isinstance(rule["value"]["amount"], str)
    assert any(rule["enabled"] for rule in rules)


def test_conversions_finder_validates_its_query(api: Api) -> None:
    assert api.get("conversions", "q=search").status_code == 400
    assert api.get("conversions", "q=account").status_code == 400
    bad_count = f"q=account&account={enc(account_urn(first_account(api)))}&count=501"
    assert api.get("conversions", bad_count).status_code == 400


def test_conversion_pivot_splits_each_creatives_conversions_by_rule(api: Api) -> None:
    truth = api.sandbox.truth
    rows = api.ok("adAnalytics", _statistics(api, "CREATIVE,CONVERSION", CONVERSION_FIELDS))[
        "elements"
    ]
    assert rows
    rules = {
        f"urn:lla:llaPartnerConversion:{r['id']}"
        for r in truth.conversion_rules(first_account(api))
    }
    for row in rows:
        creative, rule = row["pivotValues"]
        assert rule in rules
        assert row["externalWebsiteConversions"] == (
            row["externalWebsitePostClickConversions"] + row["externalWebsitePostViewConversions"]
        )
        assert row["externalWebsiteConversions"] > 0  # zero rows suppressed
        expected = truth.conversions_by_rule(creative)[rule, _day(row)]
        assert expected["externalWebsiteConversions"] == row["externalWebsiteConversions"]
        assert (
            Decimal(row["conversionValueInLocalCurrency"])
            == (expected["conversionValueInLocalCurrency"])
        )


def test_per_rule_conversions_differ_from_the_creative_totals_by_overlap_and_remainder(
    api: Api,
) -> None:
    # given every conversion-tracking creative of the first account
    truth = api.sandbox.truth
    account = first_account(api)
    split = total = 0
    for creative in truth.creatives_of(account=account):
        total += truth.creative_totals(creative)["externalWebsiteConversions"]
        split += sum(
            part["externalWebsiteConversions"]
            for part in truth.conversions_by_rule(creative).values()
        )
    # then the rules neither add up to the total nor stray far from it
    assert total > 0
    assert split != total
    assert abs(split - total) < total * 0.25


def test_conversion_pivot_serves_conversion_metrics_only(api: Api) -> None:
    rows = api.ok(
        "adAnalytics", _statistics(api, "CREATIVE,CONVERSION", "pivotValues,impressions,clicks")
    )["elements"]
    assert rows == []


def test_device_pivot_splits_campaigns_exactly_and_omits_reach_and_conversions(api: Api) -> None:
    truth = api.sandbox.truth
    fields = (
        "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,externalWebsiteConversions,"
        "conversionValueInLocalCurrency"
    )
    rows = api.ok("adAnalytics", _statistics(api, "CAMPAIGN,IMPRESSION_DEVICE_TYPE", fields))[
        "elements"
    ]
    assert rows
    assert not any("externalWebsiteConversions" in row for row in rows)
    assert not any("conversionValueInLocalCurrency" in row for row in rows)
    devices = {row["pivotValues"][1] for row in rows}
    assert {"DESKTOP_WEB", "MOBILE_APP"} <= devices
    assert "" in devices  # empty device values occur, as in real data
    campaign = rows[0]["pivotValues"][0]
    impressions = sum(r["impressions"] for r in rows if r["pivotValues"][0] == campaign)
    assert impressions == truth.campaign_totals(campaign)["impressions"]
    # and each device-day is the sandbox's, rows whose requested metrics are all 0 left out
    served = {
        (row["pivotValues"][1], _day(row)): row["impressions"]
        for row in rows
        if row["pivotValues"][0] == campaign
    }
    assert served == {
        key: metrics["impressions"]
        for key, metrics in truth.device_daily(campaign).items()
        if metrics["impressions"] or metrics["clicks"] or metrics["costInLocalCurrency"]
    }


def test_an_api_without_the_reports_refuses_them(fresh: Callable[..., Api]) -> None:
    api = fresh(conversions_denied=True, unknown_pivots=("IMPRESSION_DEVICE_TYPE",))
    account = first_account(api)
    denied = api.get("conversions", f"q=account&account={enc(account_urn(account))}")
    assert denied.status_code == 403
    assert denied.json()["code"] == "ACCESS_DENIED"
    by_rule = api.get("adAnalytics", _statistics(api, "CREATIVE,CONVERSION", CONVERSION_FIELDS))
    assert by_rule.status_code == 403
    device = api.get(
        "adAnalytics",
        _statistics(api, "CAMPAIGN,IMPRESSION_DEVICE_TYPE", "pivotValues,impressions"),
    )
    assert device.status_code == 400
    assert (
        api.get("adAnalytics", _statistics(api, "CAMPAIGN", "pivotValues,impressions")).status_code
        == 200
    )
