"""Contract checks: what a client of the real API relies on, answered by the sandbox."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sandbox_helpers import (
    Api,
    account_query,
    account_urn,
    analytics_query,
    enc,
    first_account,
    restli_range,
)

from ingest.sandbox.contract import ADDITIVE_METRICS, DECIMAL_METRICS, MEMBER_PIVOTS

# -- common checks --------------------------------------------------------------------------


def test_missing_token_is_empty_access_token(api: Api) -> None:
    response = api.http.get(
        f"{api.sandbox.base_url}/adAccounts?q=search", headers={"LinkedIn-Version": "202601"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "EMPTY_ACCESS_TOKEN"
    assert "serviceErrorCode" in response.json()


def test_unknown_token_is_invalid_access_token(api: Api) -> None:
    api.token = "not-a-token"
    response = api.get("adAccounts", "q=search")
    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "Invalid access token",
    }


def test_auth_is_checked_before_the_version(api: Api) -> None:
    api.token = "bad"
    response = api.http.get(
        f"{api.sandbox.base_url}/adAccounts?q=search",
        headers=api.headers(**{"LinkedIn-Version": ""}),
    )
    assert response.status_code == 401


def test_missing_version_is_400_version_missing(api: Api) -> None:
    response = api.http.get(
        f"{api.sandbox.base_url}/adAccounts?q=search",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VERSION_MISSING"


def test_inactive_version_is_426_with_the_version_echoed_as_a_day(api: Api) -> None:
    response = api.get("adAccounts", "q=search", **{"LinkedIn-Version": "202409"})
    assert response.status_code == 426
    assert response.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20240901 is not active",
    }


def test_version_header_name_is_case_insensitive_and_revision_form_accepted(api: Api) -> None:
    response = api.http.get(
        f"{api.sandbox.base_url}/adAccounts?q=search",
        headers={"Authorization": f"Bearer {api.token}", "linkedin-version": "202601.01"},
    )
    assert response.status_code == 200


def test_malformed_version_is_400(api: Api) -> None:
    assert api.get("adAccounts", "q=search", **{"LinkedIn-Version": "2026-01"}).status_code == 400


def test_unknown_route_is_404(api: Api) -> None:
    assert api.get("adSomething", "q=search").status_code == 404


# -- entity finders ------------------------------------------------------------------------


def test_accounts_search_lists_every_account_and_filters_test_accounts(api: Api) -> None:
    truth = api.sandbox.truth
    every = api.ok("adAccounts", "q=search")["elements"]
    assert [a["id"] for a in every] == [a["id"] for a in truth.accounts]
    live = api.ok("adAccounts", "q=search&search=(test:false)")["elements"]
    assert all(not a["test"] for a in live)
    assert len(live) == len(every) - sum(a["test"] for a in truth.accounts)


def test_accounts_search_by_id_and_status(api: Api) -> None:
    wanted = [a["id"] for a in api.sandbox.truth.accounts[:2]]
    urns = ",".join(enc(account_urn(i)) for i in wanted)
    body = api.ok(
        "adAccounts", f"q=search&search=(id:(values:List({urns})),status:(values:List(ACTIVE)))"
    )
    assert [a["id"] for a in body["elements"]] == wanted


def test_single_account_and_unknown_account(api: Api) -> None:
    account = first_account(api)
    assert api.ok(f"adAccounts/{account}")["id"] == account
    assert api.get("adAccounts/1").status_code == 404


def test_entity_wire_shapes(api: Api) -> None:
    account = first_account(api)
    record = api.ok(f"adAccounts/{account}/adCampaigns", "q=search&pageSize=1")["elements"][0]
    assert isinstance(record["id"], int)
    assert record["account"] == account_urn(account)
    assert record["campaignGroup"].startswith("urn:li:sponsoredCampaignGroup:")
    assert isinstance(record["dailyBudget"]["amount"], str)
    assert isinstance(record["runSchedule"]["start"], int)
    assert isinstance(record["changeAuditStamps"]["created"]["time"], int)
    creative = api.ok(f"adAccounts/{account}/creatives", "q=criteria&pageSize=1")["elements"][0]
    assert creative["id"].startswith("urn:li:sponsoredCreative:")
    assert isinstance(creative["createdAt"], int)
    assert "changeAuditStamps" not in creative


def test_every_account_has_a_backfilled_default_group(api: Api) -> None:
    for account in api.sandbox.truth.accounts:
        groups = api.ok(f"adAccounts/{account['id']}/adCampaignGroups", "q=search")["elements"]
        defaults = [g for g in groups if g["backfilled"]]
        assert [g["name"] for g in defaults] == ["Default Campaign Group"]


def test_cursor_paging_returns_every_campaign_once(api: Api) -> None:
    account = first_account(api)
    statuses = "ACTIVE,PAUSED,ARCHIVED,COMPLETED,CANCELED,DRAFT,PENDING_DELETION,REMOVED"
    pages = api.pages(
        f"adAccounts/{account}/adCampaigns",
        f"q=search&search=(status:(values:List({statuses})))",
        4,
    )
    ids = [c["id"] for page in pages for c in page]
    assert len(pages) > 2
    assert all(len(page) == 4 for page in pages[:-1])
    assert sorted(ids) == sorted(api.sandbox.truth.campaigns_of(account))


def test_last_page_has_no_next_page_token(api: Api) -> None:
    body = api.ok(f"adAccounts/{first_account(api)}/adCampaignGroups", "q=search&pageSize=1000")
    assert body["metadata"] == {}


def test_removed_campaigns_are_hidden_without_a_status_filter(api: Api) -> None:
    truth = api.sandbox.truth
    hidden = [c for c in truth.campaigns if c["status"] in ("REMOVED", "PENDING_DELETION")]
    assert hidden
    for campaign in hidden:
        account = campaign["account"].rsplit(":", 1)[1]
        listed = api.ok(f"adAccounts/{account}/adCampaigns", "q=search")["elements"]
        assert campaign["id"] not in {c["id"] for c in listed}
        found = api.ok(
            f"adAccounts/{account}/adCampaigns",
            f"q=search&search=(status:(values:List({campaign['status']})))",
        )["elements"]
        assert campaign["id"] in {c["id"] for c in found}


def test_campaigns_filtered_by_group(api: Api) -> None:
    campaign = next(c for c in api.sandbox.truth.campaigns if c["status"] == "ACTIVE")
    account = campaign["account"].rsplit(":", 1)[1]
    query = f"q=search&search=(campaignGroup:(values:List({enc(campaign['campaignGroup'])})))"
    listed = api.ok(f"adAccounts/{account}/adCampaigns", query)["elements"]
    assert campaign["id"] in {c["id"] for c in listed}
    assert {c["campaignGroup"] for c in listed} == {campaign["campaignGroup"]}


def test_creatives_filtered_by_campaign_and_page_size_capped_at_100(api: Api) -> None:
    truth = api.sandbox.truth
    campaign = truth.campaigns[0]
    account = campaign["account"].rsplit(":", 1)[1]
    urn = f"urn:li:sponsoredCampaign:{campaign['id']}"
    body = api.ok(f"adAccounts/{account}/creatives", f"q=criteria&campaigns=List({enc(urn)})")
    assert sorted(c["id"] for c in body["elements"]) == sorted(
        truth.creatives_of(campaign=campaign["id"])
    )
    too_many = api.get(f"adAccounts/{account}/creatives", "q=criteria&pageSize=101")
    assert too_many.status_code == 400
    assert "Request would return too many entities" in too_many.text


def test_single_creative_by_encoded_urn(api: Api) -> None:
    creative = api.sandbox.truth.creatives[0]
    account = creative["account"].rsplit(":", 1)[1]
    assert api.ok(f"adAccounts/{account}/creatives/{enc(creative['id'])}")["id"] == creative["id"]


def test_wrong_finder_is_400(api: Api) -> None:
    assert api.get(f"adAccounts/{first_account(api)}/creatives", "q=search").status_code == 400
    assert api.get("adAccounts", "").status_code == 400


def test_bad_page_token_is_400(api: Api) -> None:
    assert api.get("adAccounts", "q=search&pageToken=garbage").status_code == 400


def test_tunnelled_get_equals_plain_get_on_every_finder(api: Api) -> None:
    account = first_account(api)
    start = api.sandbox.truth.first_day
    for path, query in (
        ("adAccounts", "q=search&search=(test:false)"),
        (f"adAccounts/{account}", ""),
        (f"adAccounts/{account}/adCampaignGroups", "q=search"),
        (f"adAccounts/{account}/adCampaigns", "q=search&pageSize=3"),
        (f"adAccounts/{account}/creatives", "q=criteria&pageSize=7"),
        ("adAnalytics", account_query(api, "CAMPAIGN", account, start)),
    ):
        plain = api.get(path, query)
        tunnelled = api.tunnel(path, query)
        assert plain.status_code == tunnelled.status_code == 200, path
        assert plain.json() == tunnelled.json(), path


def test_post_without_override_is_refused(api: Api) -> None:
    response = api.http.post(
        f"{api.sandbox.base_url}/adAccounts", headers=api.headers(), content=b"q=search"
    )
    assert response.status_code == 405


# -- adAnalytics -----------------------------------------------------------------------------


def test_both_restli_syntaxes_and_encodings_give_the_same_rows(api: Api) -> None:
    truth = api.sandbox.truth
    campaign = next(c["id"] for c in truth.campaigns if truth.campaign_daily(c["id"]))
    urn = f"urn:li:sponsoredCampaign:{campaign}"
    start, end = truth.first_day, truth.last_day
    fields = "dateRange,pivotValues,impressions,costInUsd"
    v2 = analytics_query("CREATIVE", "campaigns", [urn], start, end, fields=fields.split(","))
    v2_bare = (
        f"q=analytics&pivot=CREATIVE&timeGranularity=DAILY&dateRange={restli_range(start, end)}"
        f"&campaigns=List({urn})&fields={fields.replace(',', '%2C')}"
    )
    v1 = (
        "q=analytics&pivot=CREATIVE&timeGranularity=DAILY"
        f"&dateRange.start.day={start.day}&dateRange.start.month={start.month}&dateRange.start.year={start.year}"
        f"&dateRange.end.day={end.day}&dateRange.end.month={end.month}&dateRange.end.year={end.year}"
        f"&campaigns[0]={urn}&fields={fields}"
    )
    v1_encoded = v1.replace("campaigns[0]=" + urn, "campaigns%5B0%5D=" + enc(urn))
    answers = [api.ok("adAnalytics", q)["elements"] for q in (v2, v2_bare, v1, v1_encoded)]
    assert answers[0]
    assert all(a == answers[0] for a in answers)


def test_analytics_envelope_and_row_shape(api: Api) -> None:
    body = api.ok("adAnalytics", account_query(api, "CAMPAIGN"))
    assert body["paging"] == {"start": 0, "count": 10, "links": []}
    row = body["elements"][0]
    # fields absent: impressions and clicks, plus dateRange and pivotValues
    assert set(row) == {"impressions", "clicks", "dateRange", "pivotValues"}
    assert row["pivotValues"][0].startswith("urn:li:sponsoredCampaign:")
    assert row["dateRange"]["start"] == row["dateRange"]["end"]
    assert set(row["dateRange"]["start"]) == {"year", "month", "day"}


def test_money_is_an_exact_decimal_string_and_counts_are_integers(api: Api) -> None:
    truth = api.sandbox.truth
    account = first_account(api)
    fields = [
        "dateRange",
        "pivotValues",
        "impressions",
        "clicks",
        "costInLocalCurrency",
        "costInUsd",
        "conversionValueInLocalCurrency",
        "externalWebsiteConversions",
    ]
    rows = api.ok(
        "adAnalytics",
        account_query(api, "ACCOUNT", account, granularity="ALL", fields=fields),
    )["elements"]
    (row,) = rows
    totals = truth.account_totals(account)
    for name in fields[2:]:
        if name in DECIMAL_METRICS:
            assert isinstance(row[name], str)
            assert re.fullmatch(r"-?\d+(\.\d+)?", row[name])
            assert Decimal(row[name]) == totals[name]
        else:
            assert isinstance(row[name], int)
            assert row[name] == totals[name]
    assert row["dateRange"]["start"] == {
        "year": truth.first_day.year,
        "month": truth.first_day.month,
        "day": truth.first_day.day,
    }


def test_validation_errors_are_400(api: Api) -> None:
    truth = api.sandbox.truth
    facet = f"accounts=List({enc(account_urn(first_account(api)))})"
    date_range = f"dateRange={restli_range(truth.first_day)}"
    base = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{date_range}&{facet}"
    metrics = list(ADDITIVE_METRICS)
    bad = {
        "no q": base.replace("q=analytics&", ""),
        "bad q": base.replace("q=analytics", "q=everything"),
        "no dateRange": base.replace(f"&{date_range}", ""),
        "no start": base.replace(date_range, "dateRange=(end:(year:2026,month:1,day:1))"),
        "no granularity": base.replace("&timeGranularity=DAILY", ""),
        "bad granularity": base.replace("timeGranularity=DAILY", "timeGranularity=HOURLY"),
        "no facet": base.replace(f"&{facet}", ""),
        "21 fields": base + "&fields=dateRange,pivotValues," + ",".join(metrics[:19]),
        "unknown field": base + "&fields=impressions,notAMetric",
        "pivot field": base + "&fields=pivot,impressions",
        "pivotValue field": base + "&fields=pivotValue,impressions",
        "unknown pivot": base.replace("pivot=CAMPAIGN", "pivot=WHATEVER"),
    }
    for case, query in bad.items():
        response = api.get("adAnalytics", query)
        assert response.status_code == 400, case
        assert response.json()["status"] == 400, case
    assert (
        api.get(
            "adAnalytics", base + "&fields=dateRange,pivotValues," + ",".join(metrics[:18])
        ).status_code
        == 200
    )


def test_statistics_finder_takes_up_to_three_pivots_and_rejects_member_pivots(api: Api) -> None:
    truth = api.sandbox.truth
    account = first_account(api)
    base = (
        f"q=statistics&timeGranularity=ALL&dateRange={restli_range(truth.first_day)}"
        f"&accounts=List({enc(account_urn(account))})&fields=pivotValues,impressions"
    )
    rows = api.ok("adAnalytics", base + "&pivots=List(CAMPAIGN,CREATIVE)")["elements"]
    assert rows
    assert all(len(r["pivotValues"]) == 2 for r in rows)
    creative_totals = {r["pivotValues"][1]: r["impressions"] for r in rows}
    for urn, impressions in list(creative_totals.items())[:5]:
        assert truth.creative_totals(urn)["impressions"] == impressions
    member = api.get("adAnalytics", base + "&pivots=List(CAMPAIGN,MEMBER_COUNTRY_V2)")
    assert member.status_code == 400
    assert member.json()["code"] == "FIELD_INVALID"
    four = api.get("adAnalytics", base + "&pivots=List(ACCOUNT,CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)")
    assert four.status_code == 400


def test_zero_rows_are_suppressed_per_request(api: Api) -> None:
    truth = api.sandbox.truth
    account = first_account(api)
    creatives = truth.creatives_of(account=account)
    query = account_query(api, "CREATIVE", account, fields=["pivotValues", "videoViews"])
    rows = api.ok("adAnalytics", query)["elements"]
    expected = sum(
        1 for urn in creatives for m in truth.creative_daily(urn).values() if m["videoViews"]
    )
    assert len(rows) == expected
    assert all(r["videoViews"] > 0 for r in rows)
    # a metric that is always 0 gives no row at all
    query = account_query(api, "CREATIVE", account, fields=["pivotValues", "jobApplications"])
    assert api.ok("adAnalytics", query)["elements"] == []


def test_monthly_and_all_rows_are_clipped_to_the_request(api: Api) -> None:
    truth = api.sandbox.truth
    account = first_account(api)
    start = truth.last_day - timedelta(days=40)
    end = truth.last_day - timedelta(days=3)
    rows = api.ok(
        "adAnalytics",
        account_query(api, "ACCOUNT", account, start, end, granularity="MONTHLY"),
    )["elements"]
    starts = [r["dateRange"]["start"] for r in rows]
    assert starts[0] == {"year": start.year, "month": start.month, "day": start.day}
    assert all(s["day"] == 1 for s in starts[1:])
    assert rows[-1]["dateRange"]["end"] == {"year": end.year, "month": end.month, "day": end.day}
    assert (
        sum(r["impressions"] for r in rows)
        == truth.account_totals(account, start, end)["impressions"]
    )


def test_rows_are_in_a_stable_pivot_then_date_order(api: Api) -> None:
    query = account_query(api, "CREATIVE")
    rows = api.ok("adAnalytics", query)["elements"]
    keys = [
        (r["pivotValues"], (d := r["dateRange"]["start"])["year"], d["month"], d["day"])
        for r in rows
    ]
    assert keys == sorted(keys)
    assert api.ok("adAnalytics", query)["elements"] == rows


def test_facets_combine_and_unknown_entities_give_no_rows(api: Api) -> None:
    truth = api.sandbox.truth
    query = analytics_query(
        "CAMPAIGN", "campaigns", ["urn:li:sponsoredCampaign:1"], truth.first_day
    )
    assert api.ok("adAnalytics", query)["elements"] == []


@pytest.mark.parametrize("pivot", sorted(MEMBER_PIVOTS))
def test_member_pivots_are_approximate_and_omit_non_demographic_metrics(
    api: Api, pivot: str
) -> None:
    truth = api.sandbox.truth
    campaign = max(truth.campaigns, key=lambda c: truth.campaign_totals(c["id"])["impressions"])
    urn = f"urn:li:sponsoredCampaign:{campaign['id']}"
    fields = [
        "dateRange",
        "pivotValues",
        "impressions",
        "clicks",
        "costInUsd",
        "cardClicks",
        "conversionValueInLocalCurrency",
    ]
    query = analytics_query(
        pivot, "campaigns", [urn], truth.first_day, granularity="MONTHLY", fields=fields
    )
    rows = api.ok("adAnalytics", query)["elements"]
    assert rows
    assert all(r["impressions"] >= 3 for r in rows)
    assert all("cardClicks" not in r and "conversionValueInLocalCurrency" not in r for r in rows)
    months = {(r["dateRange"]["start"]["year"], r["dateRange"]["start"]["month"]) for r in rows}
    for month in months:
        assert (
            sum(
                1
                for r in rows
                if (r["dateRange"]["start"]["year"], r["dateRange"]["start"]["month"]) == month
            )
            <= 100
        )
    total = sum(r["impressions"] for r in rows)
    # approximate: below the campaign's own total (the last day is not available yet)
    assert 0 < total < truth.campaign_totals(campaign["id"])["impressions"]


def test_member_pivot_data_for_the_last_day_is_not_available(api: Api) -> None:
    truth = api.sandbox.truth
    campaign = next(c for c in truth.campaigns if truth.last_day in truth.campaign_daily(c["id"]))
    urn = f"urn:li:sponsoredCampaign:{campaign['id']}"
    query = analytics_query("MEMBER_SENIORITY", "campaigns", [urn], truth.last_day, truth.last_day)
    assert api.ok("adAnalytics", query)["elements"] == []


def test_approximate_member_reach_is_accepted_for_short_ranges_only(api: Api) -> None:
    truth = api.sandbox.truth
    facet = [account_urn(first_account(api))]
    fields = ["pivotValues", "impressions", "approximateMemberReach"]
    short = analytics_query(
        "ACCOUNT",
        "accounts",
        facet,
        truth.last_day - timedelta(days=30),
        granularity="ALL",
        fields=fields,
    )
    long = analytics_query(
        "ACCOUNT", "accounts", facet, truth.first_day, granularity="ALL", fields=fields
    )
    assert "approximateMemberReach" in api.ok("adAnalytics", short)["elements"][0]
    assert "approximateMemberReach" not in api.ok("adAnalytics", long)["elements"][0]


# -- OAuth -----------------------------------------------------------------------------------


def test_refresh_grant_returns_a_new_access_token_and_the_same_refresh_token(api: Api) -> None:
    sandbox = api.sandbox
    response = api.oauth("accessToken", api.refresh_form())
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] == sandbox.refresh_token
    assert body["expires_in"] == 60 * 86_400
    assert 0 < body["refresh_token_expires_in"] <= 365 * 86_400
    api.token = body["access_token"]
    assert api.get("adAccounts", "q=search").status_code == 200


def test_bad_refresh_token_and_bad_client_are_oauth_errors(api: Api) -> None:
    sandbox = api.sandbox
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "nope",
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }
    response = api.oauth("accessToken", form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    response = api.oauth(
        "accessToken", {**form, "refresh_token": sandbox.refresh_token, "client_secret": "x"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert (
        api.oauth("accessToken", {"grant_type": "password"}).json()["error"]
        == "unsupported_grant_type"
    )


def test_authorization_code_flow(api: Api) -> None:
    sandbox = api.sandbox
    redirect = "http://127.0.0.1:9/callback"
    response = api.http.get(
        f"{sandbox.oauth_url}/authorization",
        params={
            "response_type": "code",
            "client_id": sandbox.client_id,
            "redirect_uri": redirect,
            "state": "xyz",
            "scope": "r_ads r_ads_reporting",
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(redirect + "?")
    assert "state=xyz" in location
    code = re.search(r"code=([^&]+)", location).group(1)  # type: ignore[union-attr]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }
    body = api.oauth("accessToken", form).json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "scope",
        "token_type",
    }
    assert api.oauth("accessToken", form).status_code == 400  # a code is single-use


def test_introspection(api: Api) -> None:
    sandbox = api.sandbox
    creds = {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret}
    body = api.oauth("introspectToken", {**creds, "token": sandbox.access_token}).json()
    assert body["active"] is True
    assert body["status"] == "active"
    assert body["auth_type"] == "3L"
    assert api.oauth("introspectToken", {**creds, "token": "nope"}).json() == {"active": False}
