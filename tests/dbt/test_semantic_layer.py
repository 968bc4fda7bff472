"""The semantic layer (dbt_project/models/semantic): its measures are the gold metric map, dbt
parses it into a semantic manifest, `mf validate-configs` passes against a sandbox warehouse, and
`mf query` answers the same numbers as the same question asked of the gold facts directly."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from ingest import dbt_runner
from ingest.linkedin_ads.config import SETTING_PREFIX
from ingest.warehouse import ROOT, Warehouse
from tests.support.dbt_project import dbt_vars
from tests.support.warehouse import query

SEMANTIC = dbt_runner.DBT_PROJECT_DIR / "models" / "semantic"
MF = Path(sys.executable).with_name("mf")  # dbt-metricflow, beside this interpreter
# What the semantic layer promises BI users (README, "Semantic layer").
BASE_METRICS = ["impressions", "clicks", "cost_local", "conversions", "leads", "total_engagements"]
RATIO_METRICS = ["ctr", "cpc", "cpm", "conversion_rate", "cost_per_lead", "roas"]
# metric -> (numerator, denominator, scale), as the *_report_daily ratio columns define them
RATIOS = {
    "ctr": ("clicks", "impressions", 1),
    "cpc": ("cost_local", "clicks", 1),
    "cpm": ("cost_local", "impressions", 1000),
    "conversion_rate": ("conversions", "clicks", 1),
    "cost_per_lead": ("cost_local", "leads", 1),
    "roas": ("conversion_value_local", "cost_local", 1),
}
# The measures of fct_conversion_performance_daily, by conversion rule.
RULE_COLUMNS = [
    "conversions",
    "post_click_conversions",
    "post_view_conversions",
    "conversion_value_local",
]


def semantic_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((SEMANTIC / name).read_text())


def test_measures_are_the_gold_metric_map_under_their_gold_names() -> None:
    models = {
        model["name"]: model
        for model in semantic_yaml("_semantic__semantic_models.yml")["semantic_models"]
    }
    campaign = models["campaign_performance"]
    assert campaign["model"] == "ref('fct_campaign_performance_daily')"
    assert [measure["name"] for measure in campaign["measures"]] == list(dbt_vars()["gold_metrics"])
    # the finer facts: unique names across semantic models, each the sum of its gold column
    for model, prefix, columns in [
        ("creative_performance", "creative_", dbt_vars()["gold_metrics"]),
        ("device_performance", "device_", dbt_vars()["gold_metrics"]),
        ("conversion_performance", "rule_", RULE_COLUMNS),
    ]:
        for measure in models[model]["measures"]:
            assert measure["name"] == f"{prefix}{measure['expr']}"
            assert measure["expr"] in columns
    assert [measure["expr"] for measure in models["conversion_performance"]["measures"]] == list(
        RULE_COLUMNS
    )
    assert models["device_performance"]["model"] == "ref('fct_device_performance_daily')"
    metrics = {metric["name"] for metric in semantic_yaml("_semantic__metrics.yml")["metrics"]}
    assert set(RATIO_METRICS) <= metrics
    assert {"cost_local_previous_week", "cost_local_previous_month"} <= metrics
    assert {"device_ctr", "device_cpc", "device_cpm"} <= metrics


class Layer(NamedTuple):
    """A built sandbox warehouse and the dbt project parsed against it."""

    warehouse: Warehouse
    project: Path  # a copy of dbt_project whose target/ only this test writes
    parse_log: str  # what a full `dbt parse` of it printed


@pytest.fixture(scope="module")
def layer(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Layer:
    """The built sandbox warehouse, then `dbt parse` of a copy of the project: mf reads
    <project>/target/semantic_manifest.json, which names this warehouse's relations, and any
    other dbt command on dbt_project (a run, another test) would rewrite dbt_project/target."""
    folder = tmp_path_factory.mktemp("semantic")
    project = folder / "dbt_project"
    ignore = shutil.ignore_patterns("target", "logs")
    shutil.copytree(dbt_runner.DBT_PROJECT_DIR, project, ignore=ignore)
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **built_warehouse.dbt_env(),
        f"{SETTING_PREFIX}ATTRIBUTION_WINDOW_DAYS": str(dbt_runner.attribution_window_days()),
    }
    parse = [dbt, "parse", "--project-dir", project, "--profiles-dir", ROOT]
    parsed = subprocess.run(parse, env=env, capture_output=True, text=True, check=False)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return Layer(built_warehouse, project, parsed.stdout + parsed.stderr)


def mf(layer: Layer, *args: str) -> subprocess.CompletedProcess[str]:
    """`mf <args>` as the README runs it: dbt's profile (profiles.yml at the root) and the project
    through DBT_PROFILES_DIR and DBT_PROJECT_DIR, the warehouse through WAREHOUSE_PATH."""
    env = {
        **layer.warehouse.dbt_env(),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(layer.project),
    }
    result = subprocess.run(
        [str(MF), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def mf_query(layer: Layer, out: Path, *args: str) -> list[dict[str, str]]:
    """Rows of `mf query <args>`, as written to its CSV."""
    mf(layer, "query", *args, "--csv", str(out), "--quiet")
    with out.open() as file:
        return list(csv.DictReader(file))


def assert_same(answer: str, expected: Decimal | float | None, what: str) -> None:
    """An mf CSV cell equals the gold figure: both empty (null), or equal as floats (mf answers
    in double precision, gold money is exact)."""
    if expected is None:
        assert answer == "", what
    else:
        assert float(answer) == pytest.approx(float(expected), rel=1e-9), what


def ratio(numerator: Decimal | int, denominator: Decimal | int, scale: int = 1) -> float | None:
    return None if not denominator else float(numerator * scale / denominator)


def month(text: str) -> date:
    return date.fromisoformat(text[:10])


@pytest.mark.e2e
def test_a_full_dbt_parse_warns_of_nothing(layer: Layer) -> None:
    # e.g. a macro argument documented with a type outside dbt's grammar (`list`, not `list[str]`)
    assert "WARNING" not in layer.parse_log, layer.parse_log


@pytest.mark.e2e
def test_dbt_parse_writes_the_semantic_manifest_and_mf_validates_it(layer: Layer) -> None:
    manifest = json.loads((layer.project / "target" / "semantic_manifest.json").read_text())
    metrics = {metric["name"] for metric in manifest["metrics"]}
    assert {*BASE_METRICS, *RATIO_METRICS} <= metrics
    [spine] = manifest["project_configuration"]["time_spines"]
    assert spine["node_relation"]["alias"] == "time_spine_daily"
    assert spine["primary_column"] == {"name": "date_day", "time_granularity": "day"}

    # semantic checks, then every semantic model, dimension, measure and metric against the data
    result = mf(layer, "validate-configs")
    assert not re.search(r"ERRORS: [1-9]", result.stdout), result.stdout
    assert "Successfully validated metrics against data warehouse" in result.stdout

    # the time spine covers every day the facts hold
    [(first, last, spine_first, spine_last)] = query(
        layer.warehouse,
        "select min(f.date_day), max(f.date_day), min(s.date_day), max(s.date_day) "
        "from gold.fct_campaign_performance_daily as f, gold.time_spine_daily as s",
    )
    assert spine_first <= first <= last <= spine_last


@pytest.mark.e2e
def test_mf_metrics_by_account_and_month_equal_the_gold_fact(layer: Layer, tmp_path: Path) -> None:
    # given the gold fact summed by account and month
    columns = sorted({*BASE_METRICS, *(part for n, d, _ in RATIOS.values() for part in (n, d))})
    sums = ", ".join(f"sum({column})" for column in columns)
    gold: dict[tuple[int, date], dict[str, Decimal]] = {}
    for account_id, day, *values in query(
        layer.warehouse,
        f"select account_id, cast(date_trunc('month', date_day) as date), {sums} "
        "from gold.fct_campaign_performance_daily group by 1, 2",
    ):
        gold[(account_id, day)] = dict(zip(columns, map(Decimal, values), strict=True))

    # when mf answers the same question
    rows = mf_query(
        layer,
        tmp_path / "by_account.csv",
        "--metrics",
        ",".join([*BASE_METRICS, *RATIO_METRICS]),
        "--group-by",
        "account,metric_time__month",
    )

    # then every (account, month) and every number is the same
    assert {(int(row["account"]), month(row["metric_time__month"])) for row in rows} == set(gold)
    for row in rows:
        want = gold[(int(row["account"]), month(row["metric_time__month"]))]
        for metric in BASE_METRICS:
            assert_same(row[metric], want[metric], metric)
        for metric, (numerator, denominator, scale) in RATIOS.items():
            assert_same(row[metric], ratio(want[numerator], want[denominator], scale), metric)
    assert any(row["ctr"] for row in rows), "no impressions at all: the check proves nothing"


@pytest.mark.e2e
def test_mf_period_over_period_equals_the_previous_period_in_gold(
    layer: Layer, tmp_path: Path
) -> None:
    # given spend and leads per calendar month and per (Monday) week, from the gold fact
    def per(grain: str) -> dict[date, tuple[Decimal, Decimal]]:
        rows = query(
            layer.warehouse,
            f"select cast(date_trunc('{grain}', date_day) as date), sum(cost_local), sum(leads) "
            "from gold.fct_campaign_performance_daily group by 1",
        )
        return {day: (Decimal(cost), Decimal(leads)) for day, cost, leads in rows}

    months, weeks = per("month"), per("week")
    assert len(months) >= 2, "the sandbox must span two months for this check"

    # when mf compares each month with the one before, and each week with the one before
    by_month = mf_query(
        layer,
        tmp_path / "by_month.csv",
        "--metrics",
        "cost_local,cost_local_previous_month,cost_local_month_over_month,leads_previous_month",
        "--group-by",
        "metric_time__month",
    )
    by_week = mf_query(
        layer,
        tmp_path / "by_week.csv",
        "--metrics",
        "cost_local_previous_week,cost_local_week_over_week",
        "--group-by",
        "metric_time__week",
    )

    # then the previous period is gold's previous calendar month (week), and the change follows
    ordered = sorted(months)
    checked = 0
    for row in by_month:
        current = month(row["metric_time__month"])
        if current not in months or current == ordered[0]:
            continue
        previous = ordered[ordered.index(current) - 1]
        cost = months[current][0]
        cost_before, leads_before = months[previous]
        assert_same(row["cost_local_previous_month"], cost_before, f"{current} previous month")
        assert_same(row["leads_previous_month"], leads_before, f"{current} leads previous month")
        change = ratio(cost - cost_before, cost_before)
        assert_same(row["cost_local_month_over_month"], change, f"{current} month over month")
        checked += 1
    assert checked == len(months) - 1
    weekly = {month(row["metric_time__week"]): row for row in by_week}
    for current, (cost, _) in weeks.items():
        before = weeks.get(date.fromordinal(current.toordinal() - 7))
        if before is None:
            continue
        row = weekly[current]
        assert_same(row["cost_local_previous_week"], before[0], f"{current} previous week")
        change = ratio(cost - before[0], before[0])
        assert_same(row["cost_local_week_over_week"], change, f"{current} week over week")


@pytest.mark.e2e
def test_mf_creative_ctr_by_creative_name_equals_the_gold_fact(
    layer: Layer, tmp_path: Path
) -> None:
    gold: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, clicks, impressions in query(
        layer.warehouse,
        "select c.creative_name, sum(f.clicks), sum(f.impressions) "
        "from gold.fct_creative_performance_daily as f "
        "left join gold.dim_creatives as c on f.creative_id = c.creative_id group by 1",
    ):
        gold[name] = [int(clicks), int(impressions)]

    rows = mf_query(
        layer,
        tmp_path / "by_creative.csv",
        "--metrics",
        "creative_ctr,creative_clicks",
        "--group-by",
        "creative__creative_name",
        "--order",
        "-creative_ctr",
    )

    assert {row["creative__creative_name"] for row in rows} == set(gold)
    for row in rows:
        clicks, impressions = gold[row["creative__creative_name"]]
        assert int(row["creative_clicks"]) == clicks
        assert_same(row["creative_ctr"], ratio(clicks, impressions), row["creative__creative_name"])
    ctrs = [float(row["creative_ctr"] or 0) for row in rows]
    assert ctrs == sorted(ctrs, reverse=True)


@pytest.mark.e2e
def test_mf_conversions_by_rule_name_equal_the_gold_fact(layer: Layer, tmp_path: Path) -> None:
    # given the by-rule fact summed per account and rule name (dim_conversions)
    sums = ", ".join(f"sum(f.{column})" for column in RULE_COLUMNS)
    gold = {
        (account_id, name): values
        for account_id, name, *values in query(
            layer.warehouse,
            f"select f.account_id, c.conversion_name, {sums} "
            "from gold.fct_conversion_performance_daily as f "
            "left join gold.dim_conversions as c on f.conversion_id = c.conversion_id "
            "group by 1, 2",
        )
    }
    assert gold, "no conversions by rule: the check proves nothing"

    # when mf answers it through the conversion entity
    metrics = [f"rule_{column}" for column in RULE_COLUMNS]
    rows = mf_query(
        layer,
        tmp_path / "by_rule.csv",
        "--metrics",
        ",".join(metrics),
        "--group-by",
        "account,conversion__conversion_name",
    )

    # then every rule and every number is the same
    key = "conversion__conversion_name"
    assert {(int(row["account"]), row[key]) for row in rows} == set(gold)
    for row in rows:
        for metric, want in zip(metrics, gold[(int(row["account"]), row[key])], strict=True):
            assert_same(row[metric], want, f"{row[key]} {metric}")


@pytest.mark.e2e
def test_mf_delivery_by_device_equals_the_gold_fact(layer: Layer, tmp_path: Path) -> None:
    gold = {
        (account_id, device): (int(impressions), int(clicks), Decimal(cost))
        for account_id, device, impressions, clicks, cost in query(
            layer.warehouse,
            "select account_id, device_type, sum(impressions), sum(clicks), sum(cost_local) "
            "from gold.fct_device_performance_daily group by 1, 2",
        )
    }

    rows = mf_query(
        layer,
        tmp_path / "by_device.csv",
        "--metrics",
        "device_impressions,device_clicks,device_cost_local,device_ctr,device_cpc,device_cpm",
        "--group-by",
        "account,device__device_type",
    )

    assert {(int(row["account"]), row["device__device_type"]) for row in rows} == set(gold)
    for row in rows:
        impressions, clicks, cost = gold[(int(row["account"]), row["device__device_type"])]
        what = f"{row['account']} {row['device__device_type']}"
        assert int(row["device_impressions"]) == impressions, what
        assert int(row["device_clicks"]) == clicks, what
        assert_same(row["device_cost_local"], cost, what)
        assert_same(row["device_ctr"], ratio(clicks, impressions), f"{what} ctr")
        assert_same(row["device_cpc"], ratio(cost, clicks), f"{what} cpc")
        assert_same(row["device_cpm"], ratio(cost, impressions, 1000), f"{what} cpm")
    assert {"DESKTOP_WEB", "MOBILE_APP"} <= {row["device__device_type"] for row in rows}
