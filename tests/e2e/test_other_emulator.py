"""The pipeline against a second emulator of LinkedIn's API (tests/emulator), written from
LinkedIn's documentation alone, without reading the sandbox or the client: other data shapes
(skewed creatives per campaign, bursts of delivery, two currencies), other paging (short pages that
are not the last, no `metadata` on the last page), other refusals (no conversion tracking, no
Posts API scope). The client runs unchanged; gold equals that emulator's data and the requests
stay within 1.1x of their lower bound."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from bench import arithmetic
from ingest.linkedin_ads import settings
from ingest.pipeline import LoadResult
from ingest.warehouse import Warehouse
from tests.emulator import Emulator, EmulatorConfig
from tests.support.dbt_project import build
from tests.support.env import scrub_settings
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.e2e

GOLD_METRICS = {column: metric.api_metric for column, metric in settings.GOLD_METRICS.items()}
MEMBER_METRICS = {
    column: metric.api_metric
    for column, metric in settings.GOLD_METRICS.items()
    if metric.member_pivots
}
MONEY_PLACES = Decimal("1e-18")
# Refused by this emulator's token (no conversion tracking, no Posts API scope): not loaded.
REFUSED_TABLES = {"conversions", "ad_analytics_by_conversion"}


@dataclass(frozen=True)
class Emulated:
    emulator: Emulator
    warehouse: Warehouse
    result: LoadResult


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulated]:
    """The emulator's whole history loaded and built into DuckDB (read only)."""
    folder = tmp_path_factory.mktemp("other_emulator")
    with pytest.MonkeyPatch.context() as monkeypatch, Emulator(EmulatorConfig()) as emulator:
        scrub_settings(monkeypatch, folder / "pipelines")
        warehouse = Warehouse.from_env({"WAREHOUSE_PATH": str(folder / "warehouse.duckdb")})
        result = load(warehouse, emulator, start_date=emulator.first_day)
        build(warehouse)
        yield Emulated(emulator, warehouse, result)


def gold_rows(
    warehouse: Warehouse, table: str, keys: str, metrics: dict[str, str], where: str = "true"
) -> dict[tuple[Any, ...], dict[str, Decimal]]:
    """Gold metric columns by the key columns `keys`."""
    sql = f"select {keys}, {', '.join(metrics)} from gold.{table} where {where}"
    width = len(keys.split(","))
    return {
        row[:width]: dict(zip(metrics, map(Decimal, row[width:]), strict=True))
        for row in query(warehouse, sql)
    }


def expected(
    truth: dict[tuple[Any, ...], dict[str, Any]], metrics: dict[str, str]
) -> dict[tuple[Any, ...], dict[str, Decimal]]:
    """The emulator's values as gold holds them: money rounded half-even to numeric(38,18)."""
    return {
        key: {
            column: Decimal(values[name]).quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN) + 0
            for column, name in metrics.items()
        }
        for key, values in truth.items()
    }


def test_the_daily_facts_equal_the_emulator_row_for_row(emulated: Emulated) -> None:
    truth = emulated.emulator.truth
    campaigns = gold_rows(
        emulated.warehouse, "fct_campaign_performance_daily", "campaign_id, date_day", GOLD_METRICS
    )
    assert campaigns == expected(truth.daily("CAMPAIGN"), GOLD_METRICS)
    creatives = gold_rows(
        emulated.warehouse, "fct_creative_performance_daily", "creative_id, date_day", GOLD_METRICS
    )
    assert creatives == expected(truth.daily("CREATIVE"), GOLD_METRICS)


def test_the_demographic_fact_equals_the_emulator_row_for_row(emulated: Emulated) -> None:
    truth = emulated.emulator.truth
    for suffix, pivot in settings.DEMOGRAPHIC_PIVOTS.items():
        ours = gold_rows(
            emulated.warehouse,
            "fct_demographic_performance_monthly",
            "campaign_id, date_month, demographic_value",
            MEMBER_METRICS,
            where=f"demographic_pivot = '{suffix}'",
        )
        assert ours == expected(truth.monthly(pivot), MEMBER_METRICS), suffix


def test_every_entity_is_in_gold_and_every_refusal_is_said(emulated: Emulated) -> None:
    truth, warehouse = emulated.emulator.truth, emulated.warehouse
    campaigns = query(warehouse, "select campaign_id from gold.dim_campaigns")
    assert {row[0] for row in campaigns} == {campaign["id"] for campaign in truth.campaigns}
    creatives = query(warehouse, "select creative_id from gold.dim_creatives")
    assert {row[0] for row in creatives} == {
        int(creative["id"].rsplit(":", 1)[1]) for creative in truth.creatives
    }
    accounts = query(warehouse, "select account_id, is_test from gold.dim_ad_accounts")
    assert set(accounts) == {(account["id"], account["test"]) for account in truth.accounts}
    warnings = " ".join(emulated.result.stats.warnings)
    for table in REFUSED_TABLES:
        assert f"{table}: not loaded" in warnings


def test_requests_stay_within_1_1x_of_their_lower_bound(emulated: Emulated) -> None:
    """Per table, as `make bench` counts them: a daily table per account ceil(rows / 15,000) x
    ceil(metrics / 18), from the emulator's rows (the device table's from the rows the client got:
    the emulator states no device truth); a demographic table one request per campaign that
    delivered."""
    stats, truth = emulated.result.stats, emulated.emulator.truth
    account_of = {
        "ad_analytics_by_campaign": {c["id"]: c["account_id"] for c in truth.campaigns},
        "ad_analytics_by_creative": {
            int(c["id"].rsplit(":", 1)[1]): c["account_id"] for c in truth.creatives
        },
    }
    rows: dict[str, Counter[int]] = defaultdict(Counter)
    for table, pivot in [
        ("ad_analytics_by_campaign", "CAMPAIGN"),
        ("ad_analytics_by_creative", "CREATIVE"),
    ]:
        for entity, _day in truth.daily(pivot):
            rows[table][account_of[table][entity]] += 1
    for (table, account), count in stats.rows.items():
        if table not in account_of:
            rows[table][account] = count
    delivered: dict[int, set[int]] = defaultdict(set)
    for campaign_id, day in truth.daily("CAMPAIGN"):
        delivered[campaign_id].add(day.toordinal())
    emulator = emulated.emulator
    assert set(stats.requests) == set(stats.metrics) - REFUSED_TABLES
    for table, requests in stats.requests.items():
        bound = arithmetic.lower_bound(
            arithmetic.Table.named(table, stats.metrics[table]),
            rows[table].values(),
            delivered,
            emulator.first_day,
            emulator.config.today,
        )
        assert 0 < requests <= 1.1 * bound, (table, requests, bound)
    # the client counted what the emulator answered
    assert sum(emulator.analytics_requests.values()) == sum(stats.requests.values())


LOW_CAP = 60  # below an account's 120 days and a campaign's company values in a month


def test_a_low_row_cap_splits_windows_and_keeps_a_crowded_months_top_values(
    duckdb_warehouse: Warehouse,
) -> None:
    """Windows at the cap are split until they fit; a month with more values than a response
    holds loads the values with the most impressions (the emulator ranks them itself) and says
    which month it cut. Bronze is compared: the rest of gold follows as above."""
    with Emulator(EmulatorConfig(row_cap=LOW_CAP)) as emulator:
        result = load(duckdb_warehouse, emulator, start_date=emulator.first_day, row_cap=LOW_CAP)
        truth = emulator.truth
    assert result.stats.split_windows > 0
    creatives = query(
        duckdb_warehouse, "select count(*), sum(impressions) from bronze.ad_analytics_by_creative"
    )
    daily = truth.daily("CREATIVE").values()
    assert creatives == [(len(daily), sum(values["impressions"] for values in daily))]

    cut = 0
    for suffix, pivot in settings.DEMOGRAPHIC_PIVOTS.items():
        months: dict[tuple[int, Any], list[int]] = defaultdict(list)
        for (campaign_id, month, _value), values in truth.monthly(pivot).items():
            months[campaign_id, month].append(values["impressions"])
        loaded: dict[tuple[int, Any], list[int]] = defaultdict(list)
        for campaign, month, impressions in query(
            duckdb_warehouse,
            f"select campaign, start_date, impressions from bronze.ad_analytics_by_member_{suffix}",
        ):
            campaign_id = int(campaign.rsplit(":", 1)[1])
            loaded[campaign_id, month.replace(day=1)].append(impressions)
        for key, impressions in months.items():
            top = sorted(impressions, reverse=True)[:LOW_CAP]
            assert sorted(loaded[key], reverse=True) == top, (suffix, key)
            cut += len(impressions) >= LOW_CAP
    assert cut > 0
    said = [w for w in result.stats.warnings if "with the most impressions" in w]
    assert len(said) == cut
