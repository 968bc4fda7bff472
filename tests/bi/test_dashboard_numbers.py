"""Every chart of the dashboard, run through Superset's own chart-data API on the real server,
shows the numbers that the same question (dbt_project/analyses) asks of gold directly: on the
DuckDB file, and on Postgres as the read-only BI role, which cannot read bronze or silver through
Superset either."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pytest

from tests.bi.conftest import Gold, records
from tests.bi.superset import Superset

pytestmark = pytest.mark.e2e


class Check(NamedTuple):
    """Which analysis answers a chart: its rows (filtered by `where`), matched on `keys`
    (chart column -> analysis column), and the chart values that must equal analysis values."""

    analysis: str
    keys: dict[str, str]
    values: dict[str, str]
    where: tuple[str, str] | None = None  # (column, value)


WEEKLY_METRICS = ["spend", "impressions", "clicks", "ctr", "cpc", "cpm", "conversions", "leads"]
PACING_COLUMNS = [
    "daily_budget_amount",
    "total_budget_amount",
    "average_daily_spend_last_7_days",
    "spend_to_date",
    "daily_budget_used",
    "total_budget_used",
]
PERIOD_METRICS = [
    "spend_this_period",
    "spend_previous_period",
    "spend_change",
    "clicks_this_period",
    "clicks_previous_period",
    "leads_this_period",
    "leads_previous_period",
    "cost_per_lead_this_period",
    "cost_per_lead_previous_period",
]
RULE_METRICS = [
    "post_click_conversions",
    "post_view_conversions",
    "conversions",
    "conversion_value",
]
DEVICE_METRICS = ["impressions", "clicks", "ctr", "spend", "cpc", "cpm"]
CHECKS = {
    "Performance by account and week": Check(
        "account_weekly_performance",
        {"account_name": "account_name", "week_start": "week_start"},
        {name: name for name in [*WEEKLY_METRICS, "cost_per_lead"]},
    ),
    "Weekly spend by account": Check(
        "account_weekly_performance",
        {"account_name": "account_name", "date_day": "week_start"},
        {"spend": "spend"},
    ),
    "Top creatives by CTR": Check(
        "top_creatives_by_ctr",
        {"creative_id": "creative_id", "creative_name": "creative_name"},
        {"ctr": "ctr", "clicks": "clicks", "impressions": "impressions"},
    ),
    "Top ads by CTR, with what they say": Check(
        "top_ads_by_ctr_with_text",
        {name: name for name in ["creative_id", "creative_name", "creative_headline", "ad_text"]},
        {"ctr": "ctr", "clicks": "clicks", "impressions": "impressions"},
    ),
    "Conversions by rule": Check(
        "conversions_by_rule",
        {
            name: name
            for name in ["account_name", "conversion_name", "conversion_type", "currency_code"]
        },
        {name: name for name in RULE_METRICS},
    ),
    "Delivery by device": Check(
        "device_performance_by_account",
        {"account_name": "account_name", "device_type": "device_type"},
        {name: name for name in DEVICE_METRICS},
    ),
    "Cost per lead by job function (approximate, USD)": Check(
        "cost_per_lead_by_member_demographic",
        {"demographic_label": "demographic_label"},
        {"cost_per_lead_usd": "cost_per_lead_usd"},
        ("demographic_pivot", "job_function"),
    ),
    "Cost per lead by seniority (approximate, USD)": Check(
        "cost_per_lead_by_member_demographic",
        {"demographic_label": "demographic_label"},
        {"cost_per_lead_usd": "cost_per_lead_usd"},
        ("demographic_pivot", "seniority"),
    ),
    "Spend pacing against budgets (active campaigns)": Check(
        "campaign_budget_pacing",
        {"account_name": "account_name", "campaign_name": "campaign_name"},
        {name: name for name in PACING_COLUMNS},
    ),
    "Last 7 days against the 7 before": Check(
        "account_period_comparison",
        {"account_name": "account_name"},
        {name: name for name in PERIOD_METRICS},
    ),
}


@pytest.fixture(
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)], scope="module"
)
def engine(request: pytest.FixtureRequest) -> tuple[Superset, Gold]:
    name = request.param
    return request.getfixturevalue(f"{name}_superset"), request.getfixturevalue(f"{name}_gold")


def test_every_chart_shows_what_gold_answers(engine: tuple[Superset, Gold]) -> None:
    running, gold = engine
    charts = running.dashboard_charts()
    assert sorted(chart["slice_name"] for chart in charts) == sorted(CHECKS)
    for chart in charts:
        name, check = chart["slice_name"], CHECKS[chart["slice_name"]]
        answer = running.chart_data(chart["id"])
        assert answer.status_code == 200, (name, answer.text[:500])
        shown = table(answer.json()["result"][0]["data"], check.keys, check.values)
        expected = table(
            [
                row
                for row in gold.analyses[check.analysis]
                if check.where is None or row[check.where[0]] == check.where[1]
            ],
            {column: column for column in check.keys.values()},
            {column: column for column in check.values.values()},
        )
        assert shown, f"{name}: no rows"
        assert shown.keys() == expected.keys(), name
        for key, values in expected.items():
            for column, seen, want in zip(check.values, shown[key], values, strict=True):
                assert same(seen, want), (name, key, column, seen, want)


def table(
    rows: list[dict[str, Any]], keys: dict[str, str], values: dict[str, str]
) -> dict[tuple[Any, ...], tuple[float | None, ...]]:
    """Rows keyed by their key columns (dates as dates), each with its values in `values` order."""
    return {
        tuple(as_key(row[column]) for column in keys): tuple(
            None if row[column] is None else float(row[column]) for column in values
        )
        for row in rows
    }


def as_key(value: Any) -> Any:
    """Superset sends dates as epoch milliseconds; gold as dates (or midnight timestamps)."""
    if isinstance(value, float):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    if isinstance(value, datetime):
        return value.date()
    return value


def same(shown: float | None, expected: float | None) -> bool:
    """Equal to 1e-9 relative: engines and JSON round the last digits of a division differently."""
    if shown is None or expected is None:
        return shown is expected
    return math.isclose(shown, expected, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.postgres
def test_bi_role_cannot_read_bronze_or_silver_through_superset(
    postgres_superset: Superset, postgres_gold: Gold
) -> None:
    database_id = postgres_superset.api.get("/api/v1/database/").json()["result"][0]["id"]
    for schema in ("bronze", "silver"):
        (table_name,) = next(
            (row["table_name"],)
            for row in records(
                postgres_gold.warehouse,
                "select table_name from information_schema.tables "
                f"where table_schema = '{schema}' order by table_name limit 1",
            )
        )
        # given a dataset over a bronze or silver table, created through Superset's API
        created = postgres_superset.api.post(
            "/api/v1/dataset/",
            json={"database": database_id, "schema": schema, "table_name": table_name},
        )
        # (Postgres shows any role the catalog's table and column names, so this succeeds)
        assert created.status_code == 201, created.text
        # when a chart query reads it
        answer = postgres_superset.api.post(
            "/api/v1/chart/data",
            json={
                "datasource": {"id": created.json()["id"], "type": "table"},
                "queries": [
                    {
                        "columns": [],
                        "metrics": [
                            {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "n"}
                        ],
                    }
                ],
                "result_format": "json",
                "result_type": "full",
            },
        )
        # then Postgres refuses the BI role
        assert answer.status_code >= 400, (schema, answer.text[:300])
        assert "permission denied" in answer.text, (schema, answer.text[:300])
