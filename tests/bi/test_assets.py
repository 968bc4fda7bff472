"""The dashboard's files agree with the dbt project: the exposure names every gold model the
dashboard's datasets read, and every chart has the analysis that tests/bi compares it with."""

from __future__ import annotations

import re

import yaml

from ingest import dbt_runner
from tests.bi.superset import BI
from tests.bi.test_dashboard_numbers import CHECKS

ASSETS = BI / "assets"
EXPOSURES = dbt_runner.DBT_PROJECT_DIR / "models" / "marts" / "_exposures.yml"


def gold_models_read(dataset: dict[str, str]) -> set[str]:
    """A physical dataset reads its table; a virtual one the gold relations its SQL names."""
    if dataset["sql"]:
        return set(re.findall(r"\bgold\.(\w+)", dataset["sql"]))
    assert dataset["schema"] == "gold", dataset["table_name"]
    return {dataset["table_name"]}


def test_exposure_lists_every_gold_model_the_dashboard_reads() -> None:
    datasets = [yaml.safe_load(path.read_text()) for path in ASSETS.glob("datasets/*.yaml")]
    read = set().union(*(gold_models_read(dataset) for dataset in datasets))
    [exposure] = yaml.safe_load(EXPOSURES.read_text())["exposures"]
    listed = {re.fullmatch(r"ref\('(\w+)'\)", ref)[1] for ref in exposure["depends_on"]}
    assert "fct_conversion_performance_daily" in read
    assert listed == read


def test_every_chart_on_the_dashboard_has_an_analysis_to_compare_with() -> None:
    dashboard = yaml.safe_load((ASSETS / "dashboards" / "linkedin_ads.yaml").read_text())
    on_dashboard = {
        item["meta"]["sliceName"]
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    }
    charts = {
        chart["slice_name"]
        for chart in (yaml.safe_load(path.read_text()) for path in ASSETS.glob("charts/*.yaml"))
    }
    assert on_dashboard == charts == set(CHECKS)
    analyses = {path.stem for path in (dbt_runner.DBT_PROJECT_DIR / "analyses").glob("*.sql")}
    assert {check.analysis for check in CHECKS.values()} <= analyses
