"""Each knob changes behaviour as documented, at start and at run time."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sandbox_helpers import Api, account_query, analytics_query, first_account

from ingest.sandbox import Sandbox, SandboxConfig, run_sandbox
from ingest.sandbox.config import SIZES
from ingest.sandbox.contract import ADDITIVE_METRICS
from ingest.sandbox.faults import DATA_LIMIT_MESSAGE, DAY_LIMIT_MESSAGE

Fresh = Callable[..., Api]


def test_row_cap_truncates_silently_keeping_the_first_rows(fresh: Fresh) -> None:
    api = fresh()
    full = api.ok("adAnalytics", account_query(api, "CREATIVE"))["elements"]
    api.sandbox.configure(row_cap=50)
    capped = api.ok("adAnalytics", account_query(api, "CREATIVE"))
    assert capped["elements"] == full[:50]
    assert set(capped) == {"paging", "elements"}  # no flag says it was cut


def test_default_row_cap_is_15000(fresh: Fresh) -> None:
    assert fresh().sandbox.config.row_cap == 15_000


def test_short_page_drops_one_element_but_keeps_a_next_token(fresh: Fresh) -> None:
    api = fresh(short_page=True)
    account = api.sandbox.truth.accounts[0]["id"]
    pages = api.pages(f"adAccounts/{account}/creatives", "q=criteria", 10)
    assert len(pages[0]) == 9
    ids = [c["id"] for page in pages for c in page]
    assert sorted(ids) == sorted(api.sandbox.truth.creatives_of(account=account))


def test_token_expires_after_n_calls_until_refreshed(fresh: Fresh) -> None:
    api = fresh(token_expires_after_calls=2)
    assert api.get("adAccounts", "q=search").status_code == 200
    assert api.get("adAccounts", "q=search").status_code == 200
    expired = api.get("adAccounts", "q=search")
    assert expired.status_code == 401
    assert expired.json()["code"] == "EXPIRED_ACCESS_TOKEN"
    sandbox = api.sandbox
    body = api.oauth("accessToken", api.refresh_form()).json()
    api.token = body["access_token"]
    assert api.get("adAccounts", "q=search").status_code == 200
    assert sandbox.stats.tokens_refreshed == 1


def test_access_token_expires_with_time(fresh: Fresh) -> None:
    api = fresh()
    api.sandbox.advance_clock(61 * 86_400)
    assert api.get("adAccounts", "q=search").json()["code"] == "EXPIRED_ACCESS_TOKEN"


def test_revoked_token_and_its_refresh_token_stop_working(fresh: Fresh) -> None:
    api = fresh()
    api.sandbox.configure(token_revoked=True)
    response = api.get("adAccounts", "q=search")
    assert response.status_code == 401
    assert response.json()["code"] == "REVOKED_ACCESS_TOKEN"
    assert response.json()["serviceErrorCode"] == 65601
    refresh = api.oauth("accessToken", api.refresh_form())
    assert refresh.status_code == 400


def test_daily_quota_answers_the_day_limit_429_until_midnight_utc(fresh: Fresh) -> None:
    api = fresh()
    api.sandbox.configure(daily_quota_calls=2)
    query = account_query(api, "ACCOUNT")
    assert api.get("adAnalytics", query).status_code == 200
    assert api.get("adAnalytics", query).status_code == 200
    limited = api.get("adAnalytics", query)
    assert limited.status_code == 429
    assert limited.json()["message"] == DAY_LIMIT_MESSAGE
    assert "DAY" in limited.json()["message"]
    # entity routes have their own quota
    assert api.get("adAccounts", "q=search").status_code == 200
    api.sandbox.advance_clock(86_400)
    assert api.get("adAnalytics", query).status_code == 200


def test_data_volume_limit_counts_fields_times_rows_over_a_rolling_window(fresh: Fresh) -> None:
    api = fresh()
    query = account_query(api, "CREATIVE", fields=["dateRange", "pivotValues", "impressions"])
    rows = len(api.ok("adAnalytics", query)["elements"])
    api.sandbox.configure(data_volume_limit=3 * rows * 2)
    assert api.get("adAnalytics", query).status_code == 200
    assert api.get("adAnalytics", query).status_code == 200
    limited = api.get("adAnalytics", query)
    assert limited.status_code == 429
    assert limited.json()["message"] == DATA_LIMIT_MESSAGE
    api.sandbox.advance_clock(301)
    assert api.get("adAnalytics", query).status_code == 200


def test_forbidden_account_is_403_on_its_routes_and_empty_in_analytics(fresh: Fresh) -> None:
    api = fresh()
    account = api.sandbox.truth.accounts[0]["id"]
    api.sandbox.configure(forbidden_account_ids=[account])
    for path, query in (
        (f"adAccounts/{account}", ""),
        (f"adAccounts/{account}/adCampaigns", "q=search"),
        (f"adAccounts/{account}/creatives", "q=criteria"),
    ):
        response = api.get(path, query)
        assert response.status_code == 403, path
        assert response.json()["code"] == "ACCESS_DENIED"
    assert api.ok("adAnalytics", account_query(api, "CREATIVE"))["elements"] == []
    other = api.sandbox.truth.accounts[1]["id"]
    assert api.get(f"adAccounts/{other}", "").status_code == 200


def test_extra_fields_add_unknown_fields_everywhere(fresh: Fresh) -> None:
    api = fresh(extra_fields=True)
    account = api.sandbox.truth.accounts[0]["id"]
    known = set(api.sandbox.truth.accounts[0])
    record = api.ok(f"adAccounts/{account}")
    assert set(record) - known
    creative = api.ok(f"adAccounts/{account}/creatives", "q=criteria&pageSize=1")["elements"][0]
    assert "sandboxDriftFlag" in creative
    row = api.ok("adAnalytics", account_query(api, "CREATIVE"))["elements"][0]
    assert set(row) - {"impressions", "clicks", "dateRange", "pivotValues"}


def test_drop_optional_fields_omits_names_budgets_and_end_dates(fresh: Fresh) -> None:
    api = fresh(drop_optional_fields=True)
    for account in api.sandbox.truth.accounts:
        creatives = api.ok(f"adAccounts/{account['id']}/creatives", "q=criteria")["elements"]
        assert all("name" not in c for c in creatives)
        campaigns = api.ok(f"adAccounts/{account['id']}/adCampaigns", "q=search")["elements"]
        assert all("end" not in c["runSchedule"] and "dailyBudget" not in c for c in campaigns)


def test_latency_slows_every_answer(fresh: Fresh) -> None:
    api = fresh(latency_ms=150)
    started = time.perf_counter()
    api.get("adAccounts", "q=search")
    assert time.perf_counter() - started >= 0.15


def test_a_running_sandbox_keeps_its_facts_out_of_the_garbage_collectors_walks() -> None:
    # given a sandbox whose facts are many small dicts
    with run_sandbox(SandboxConfig()) as sandbox:
        facts = sum(len(days) for days in sandbox.advertiser.facts.values())
        # then while it serves, they are frozen: collections do not walk them
        assert gc.get_freeze_count() >= facts > 1000
    # ... and once it stops, the collector has them back
    assert gc.get_freeze_count() == 0


def test_member_pivots_read_table_by_table_sum_each_campaign_window_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a sandbox with as many campaigns as the bench's largest size (L)
    campaigns = SIZES["L"].campaigns
    sandbox = Sandbox(SandboxConfig(accounts=1, campaigns=campaigns, creatives=campaigns, days=40))
    engine, truth = sandbox.rest.engine, sandbox.truth
    summed: list[int] = []
    per_campaign = engine._per_campaign
    monkeypatch.setattr(
        engine, "_per_campaign", lambda *args: summed.append(1) or per_campaign(*args)
    )
    api = Api(sandbox)
    headers = api.headers()
    api.close()
    # when every campaign's month is asked for under one member pivot, then under another, as a
    # client that reads each member table for every account before the next one
    for pivot in ("MEMBER_SENIORITY", "MEMBER_COMPANY_SIZE"):
        for campaign in truth.campaigns:
            urn = f"urn:li:sponsoredCampaign:{campaign['id']}"
            query = analytics_query(
                pivot, "campaigns", [urn], truth.first_day, truth.last_day, granularity="MONTHLY"
            )
            assert sandbox.handle("GET", "/rest/adAnalytics", query, headers, b"").status == 200
    # then each campaign's creative days are summed once, for the first pivot only
    assert len(summed) == len(truth.campaigns) == campaigns


class _Clock:
    """The sandbox server's `time`: a monotonic clock that only moves when told or slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("work", "waited"), [(0.1, 0.05), (0.4, 0.0)])
def test_latency_includes_the_time_the_answer_took_to_compute(
    monkeypatch: pytest.MonkeyPatch, work: float, waited: float
) -> None:
    # given a sandbox with 150 ms latency whose answer takes `work` seconds to compute
    clock = _Clock()
    monkeypatch.setattr("ingest.sandbox.server.time", clock)
    sandbox = Sandbox(SandboxConfig(latency_ms=150))
    answer = sandbox.rest.answer

    def computing(*args: Any) -> Any:
        clock.now += work
        return answer(*args)

    monkeypatch.setattr(sandbox.rest, "answer", computing)
    # when a request is answered
    sandbox.handle("GET", "/rest/adAccounts", "q=search", {}, b"")
    # then it leaves 150 ms after it arrived, or as soon as it is computed when that is later
    assert clock.slept == [pytest.approx(waited)]
    assert clock.now == pytest.approx(max(0.15, work))


def test_faults_are_deterministic_for_a_seed_and_spare_oauth_and_control_routes(
    fresh: Fresh,
) -> None:
    def run() -> list[int]:
        api = fresh(
            fault_rate=0.5, fault_kinds=("429", "500_json", "503", "500_html", "429_retry_after")
        )
        sandbox = api.sandbox
        statuses = [api.get("adAccounts", "q=search").status_code for _ in range(30)]
        form = api.refresh_form()
        assert all(api.oauth("accessToken", form).status_code == 200 for _ in range(10))
        assert all(
            api.http.get(f"{sandbox.address}/_sandbox/stats").status_code == 200 for _ in range(10)
        )
        assert sum(sandbox.stats.faults.values()) == sum(s != 200 for s in statuses)
        return statuses

    first, second = run(), run()
    assert first == second
    assert {200, 429, 500, 503} <= set(first)


def test_fault_kinds_have_their_documented_shapes(fresh: Fresh) -> None:
    api = fresh()
    checks = {
        "429_retry_after": lambda r: r.status_code == 429 and r.headers["Retry-After"] == "1",
        "500_html": lambda r: (
            r.status_code == 500 and r.headers["Content-Type"].startswith("text/html")
        ),
        "500_json": lambda r: r.status_code == 500 and r.json()["status"] == 500,
        "503": lambda r: r.status_code == 503,
        "429": lambda r: r.status_code == 429 and "Retry-After" not in r.headers,
    }
    for kind, check in checks.items():
        api.sandbox.configure(fault_rate=1.0, fault_kinds=(kind,))
        assert check(api.get("adAccounts", "q=search")), kind


def test_drop_closes_the_connection_without_an_answer(fresh: Fresh) -> None:
    api = fresh(fault_rate=1.0, fault_kinds=("drop",))
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("adAccounts", "q=search")
    api.sandbox.configure(fault_rate=0.0)
    assert api.get("adAccounts", "q=search").status_code == 200


def test_slow_fault_sleeps_then_answers(fresh: Fresh) -> None:
    api = fresh(fault_rate=1.0, fault_kinds=("slow",), slow_seconds=0.2)
    started = time.perf_counter()
    assert api.get("adAccounts", "q=search").status_code == 200
    assert time.perf_counter() - started >= 0.2
    assert api.sandbox.stats.faults == {"slow": 1}


def test_oauth_routes_are_faulted_only_when_asked(fresh: Fresh) -> None:
    api = fresh(fault_rate=1.0, fault_kinds=("503",), fault_oauth=True)
    form = api.refresh_form()
    assert api.oauth("accessToken", form).status_code == 503


def test_active_versions_are_configurable(fresh: Fresh) -> None:
    api = fresh(active_versions=("202601",))
    assert api.get("adAccounts", "q=search").status_code == 200
    assert api.get("adAccounts", "q=search", **{"LinkedIn-Version": "202602"}).status_code == 426


def test_config_route_changes_knobs_at_run_time(fresh: Fresh) -> None:
    api = fresh()
    url = f"{api.sandbox.address}/_sandbox/config"
    response = api.http.post(url, json={"row_cap": 3, "fault_kinds": ["503"]})
    assert response.status_code == 200
    assert response.json()["row_cap"] == 3
    assert len(api.ok("adAnalytics", account_query(api, "CREATIVE"))["elements"]) == 3
    assert api.http.post(url, json={"no_such_knob": 1}).status_code == 400
    assert api.http.post(url, json={"seed": 8}).status_code == 400
    assert api.http.post(url, json={"fault_rate": 2}).status_code == 400


def test_invalid_config_is_refused() -> None:
    with pytest.raises(ValueError, match="fault kinds"):
        SandboxConfig(fault_kinds=("boom",))


def test_restate_changes_only_recent_conversions_and_keeps_sums(fresh: Fresh) -> None:
    api = fresh()
    sandbox = api.sandbox
    truth = sandbox.truth
    account = next(a["id"] for a in truth.accounts if not a["test"])
    before = truth.account_daily(account)
    changed = sandbox.restate(days=10)
    assert changed > 0
    after = truth.account_daily(account)
    cutoff = truth.last_day - timedelta(days=9)
    conversion = {
        "externalWebsiteConversions",
        "externalWebsitePostClickConversions",
        "externalWebsitePostViewConversions",
        "conversionValueInLocalCurrency",
    }
    moved = False
    for day, metrics in after.items():
        for name, value in metrics.items():
            if name not in conversion or day < cutoff:
                assert value == before[day][name], (day, name)
        moved |= metrics["externalWebsiteConversions"] != before[day]["externalWebsiteConversions"]
        assert metrics["externalWebsiteConversions"] == (
            metrics["externalWebsitePostClickConversions"]
            + metrics["externalWebsitePostViewConversions"]
        )
    assert moved
    # served campaign rows still equal the sum of their creatives
    fields = [
        "dateRange",
        "pivotValues",
        "externalWebsiteConversions",
        "conversionValueInLocalCurrency",
    ]
    query = account_query(api, "CAMPAIGN", account, cutoff, fields=fields)
    for row in api.ok("adAnalytics", query)["elements"]:
        campaign = row["pivotValues"][0]
        d = row["dateRange"]["start"]
        day = date(d["year"], d["month"], d["day"])
        creatives = truth.creatives_of(campaign=campaign)
        total = sum(
            truth.creative_daily(c).get(day, {}).get("externalWebsiteConversions", 0)
            for c in creatives
        )
        assert row["externalWebsiteConversions"] == total


def test_restate_is_deterministic_and_scales_with_a_factor(fresh: Fresh) -> None:
    first, second = fresh().sandbox, fresh().sandbox
    assert first.restate(days=5) == second.restate(days=5)
    assert first.truth.to_json() == second.truth.to_json()
    account = first.truth.accounts[0]["id"]
    before = first.truth.account_totals(account, start=first.truth.last_day - timedelta(days=4))
    first.restate(days=5, factor=2)
    after = first.truth.account_totals(account, start=first.truth.last_day - timedelta(days=4))
    assert after["externalWebsiteConversions"] == 2 * before["externalWebsiteConversions"]


def test_restate_and_truth_routes(fresh: Fresh) -> None:
    api = fresh()
    address = api.sandbox.address
    truth = api.http.get(f"{address}/_sandbox/truth").json()
    assert (
        api.http.post(f"{address}/_sandbox/restate", json={"days": 7}).json()[
            "changed_creative_days"
        ]
        > 0
    )
    assert api.http.get(f"{address}/_sandbox/truth").json() != truth


def test_stats_count_requests_by_route(fresh: Fresh) -> None:
    api = fresh()
    api.get("adAccounts", "q=search")
    api.get("adAnalytics", account_query(api, "CREATIVE"))
    stats = api.sandbox.stats
    assert stats.by_route["adAccounts"] == 1
    assert stats.by_route["adAnalytics"] == 1
    assert stats.by_status[200] == 2
    assert stats.analytics_rows > 0


def test_metrics_per_request_limit_allows_a_full_chunk_quickly(fresh: Fresh) -> None:
    api = fresh()
    fields = ["dateRange", "pivotValues", *ADDITIVE_METRICS[:18]]
    query = account_query(api, "CREATIVE", fields=fields)
    api.get("adAnalytics", query)  # warm the connection
    started = time.perf_counter()
    rows = api.ok("adAnalytics", query)["elements"]
    assert len(rows) > 3000
    assert time.perf_counter() - started < 1.0


def test_cli_flags_become_a_config() -> None:
    from ingest.sandbox.server import config_from_args

    config = config_from_args(
        ["--port", "0", "--seed", "9", "--fault-rate", "0.2", "--fault-kinds", "503,drop",
         "--short-page", "--forbidden-account-ids", "1,2", "--row-cap", "10"]
    )  # fmt: skip
    assert (config.seed, config.fault_rate, config.fault_kinds) == (9, 0.2, ("503", "drop"))
    assert config.short_page
    assert config.forbidden_account_ids == (1, 2)
    assert config.row_cap == 10


# -- real-world money: long decimal tails and creatives left out of creative-level reports ------
MONEY = ["costInUsd", "costInLocalCurrency"]
MONEY_FIELDS = ["dateRange", "pivotValues", "impressions", *MONEY]
HALF_UNIT = Decimal("0.5e-18")  # half a unit of the 18th place, what rounding to 18 places moves


def _by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, date], dict[str, Any]]:
    out = {}
    for row in rows:
        start = row["dateRange"]["start"]
        out[row["pivotValues"][0], date(start["year"], start["month"], start["day"])] = row
    return out


def _creatives_per_campaign_day(
    api: Api, creative_rows: list[dict[str, Any]]
) -> dict[tuple[str, date], list[dict[str, Any]]]:
    refs = api.sandbox.advertiser.refs
    out: dict[tuple[str, date], list[dict[str, Any]]] = {}
    for (urn, day), row in _by_key(creative_rows).items():
        campaign = f"urn:li:sponsoredCampaign:{refs[urn].campaign_id}"
        out.setdefault((campaign, day), []).append(row)
    return out


def _decimals(value: str) -> int:
    return len(value.partition(".")[2])


def test_money_tails_serve_more_than_18_decimals_and_totals_are_exact_sums(fresh: Fresh) -> None:
    api = fresh(money_tails=True)
    creatives = api.ok("adAnalytics", account_query(api, "CREATIVE", fields=MONEY_FIELDS))
    campaigns = api.ok("adAnalytics", account_query(api, "CAMPAIGN", fields=MONEY_FIELDS))
    values = [row[m] for row in creatives["elements"] for m in MONEY if row.get(m, "0") != "0"]
    assert values
    assert all(isinstance(v, str) and _decimals(v) > 18 for v in values)
    per_campaign_day = _creatives_per_campaign_day(api, creatives["elements"])
    rounded_apart = 0
    for key, campaign in _by_key(campaigns["elements"]).items():
        rows = per_campaign_day[key]
        for metric in MONEY:
            exact = sum((Decimal(row.get(metric, "0")) for row in rows), Decimal(0))
            assert Decimal(campaign[metric]) == exact, (key, metric)
            # What an 18-decimal store sees: apart in the last place, within the rounding bound.
            rounded = sum(Decimal(row.get(metric, "0")).quantize(HALF_UNIT * 2) for row in rows)
            gap = abs(Decimal(campaign[metric]).quantize(HALF_UNIT * 2) - rounded)
            assert gap <= (len(rows) + 1) * HALF_UNIT
            rounded_apart += gap > 0
    assert rounded_apart > 0  # the knob reproduces what real data does to an exact comparison


def test_money_tails_keep_the_truth_equal_to_what_is_served(fresh: Fresh) -> None:
    api = fresh(money_tails=True)
    truth = api.sandbox.truth
    account = first_account(api)
    rows = api.ok("adAnalytics", account_query(api, "ACCOUNT", fields=MONEY_FIELDS))["elements"]
    daily = truth.account_daily(account)
    assert len(rows) == len(daily)
    for (_, day), row in _by_key(rows).items():
        for metric in MONEY:
            assert Decimal(row.get(metric, "0")) == daily[day][metric]
            assert _decimals(row.get(metric, "0.0")) > 18 or daily[day][metric] == 0
    api.sandbox.configure(money_tails=False)
    plain = api.ok("adAnalytics", account_query(api, "ACCOUNT", fields=MONEY_FIELDS))["elements"]
    assert all(_decimals(row[m]) <= 12 for row in plain for m in MONEY if m in row)
    assert truth.account_daily(account) != daily


def test_creative_gaps_leave_creatives_out_of_creative_reports_only(fresh: Fresh) -> None:
    api = fresh()
    truth = api.sandbox.truth
    assert truth.gapped_creatives() == []
    api.sandbox.configure(creative_gaps=2)
    gapped = truth.gapped_creatives()
    assert len(gapped) == 2
    refs = api.sandbox.advertiser.refs
    assert len({refs[urn].campaign_id for urn in gapped}) == 2  # at most one per campaign
    for urn in gapped:
        ref = refs[urn]
        query = account_query(api, "CREATIVE", account=ref.account_id, fields=MONEY_FIELDS)
        served = {row["pivotValues"][0] for row in api.ok("adAnalytics", query)["elements"]}
        assert urn not in served
        assert truth.creative_daily(urn) == {}
        # ... but its campaign still counts its delivery: campaign > sum of reported creatives.
        query = account_query(api, "CAMPAIGN", account=ref.account_id, fields=MONEY_FIELDS)
        campaign_urn = f"urn:li:sponsoredCampaign:{ref.campaign_id}"
        campaign_rows = {
            key: row
            for key, row in _by_key(api.ok("adAnalytics", query)["elements"]).items()
            if key[0] == campaign_urn
        }
        daily = truth.campaign_daily(ref.campaign_id)
        assert {day for _, day in campaign_rows} == set(daily)
        creatives = [c for c in truth.creatives_of(campaign=ref.campaign_id) if c != urn]
        assert creatives, "a gap is only made in a campaign with another creative"
        short = 0
        for (_, day), row in campaign_rows.items():
            reported = sum(truth.creative_daily(c).get(day, {}).get("impressions", 0)
                           for c in creatives)  # fmt: skip
            assert row["impressions"] == daily[day]["impressions"] >= reported
            short += row["impressions"] > reported
        assert short > 0
    assert truth.to_json()["creatives_left_out"] == gapped


def test_creative_gaps_pick_creatives_with_the_least_delivery(fresh: Fresh) -> None:
    api = fresh(creative_gaps=1)
    truth = api.sandbox.truth
    (urn,) = truth.gapped_creatives()
    campaign = api.sandbox.advertiser.refs[urn].campaign_id
    api.sandbox.configure(creative_gaps=0)
    total = truth.campaign_totals(campaign)["impressions"]
    assert truth.creative_totals(urn)["impressions"] < total / 2  # a slight gap, not most of it


def test_real_world_money_knobs_are_validated() -> None:
    with pytest.raises(ValueError, match="creative_gaps"):
        SandboxConfig(creative_gaps=-1)


def test_processes_answer_from_forked_copies_and_stop_with_the_sandbox() -> None:
    """processes=2: requests on new connections are answered by either copy, alike; stopping
    the sandbox stops the copy."""
    with run_sandbox(SandboxConfig(processes=2)) as sandbox:
        children = list(sandbox._children)
        api = Api(sandbox)
        answers = []
        for _ in range(12):
            api.http.close()
            api.http = httpx.Client(timeout=10)  # a new connection: either copy may accept it
            answers.append(api.ok("adAccounts", "q=search"))
        api.close()
        assert len(children) == 1
        assert all(answer == answers[0] for answer in answers)
        # the parent counts only what it answered itself: the copy answered the rest
        assert sandbox.stats.requests < 12
    with pytest.raises(ProcessLookupError):
        os.kill(children[0], 0)
