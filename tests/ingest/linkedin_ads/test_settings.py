"""The gold metric map as Python reads it, and the attribution window dbt is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import dbt_runner
from ingest.linkedin_ads import settings
from ingest.linkedin_ads.config import ConfigError


def test_the_gold_map_names_catalogue_metrics_of_the_same_kind() -> None:
    assert settings.GOLD_METRICS
    for column, metric in settings.GOLD_METRICS.items():
        kind = settings.METRICS_BY_NAME[metric.api_metric].kind
        assert (kind == "count") == (metric.kind == "count"), column
        assert metric.description, column


def test_demographic_tables_ask_for_the_gold_metrics_served_for_member_pivots(
    tmp_path: Path,
) -> None:
    project = tmp_path / "dbt_project.yml"
    project.write_text(
        "vars:\n"
        "  gold_metrics:\n"
        "    clicks: {api_metric: clicks, kind: count, description: Clicks.}\n"
        "    value: {api_metric: conversionValueInLocalCurrency, kind: money,\n"
        "            member_pivots: false, description: Value.}\n"
    )
    loaded = settings.load_gold_metrics(project)
    assert [metric.member_pivots for metric in loaded.values()] == [True, False]
    assert (
        tuple(
            metric.api_metric for metric in settings.GOLD_METRICS.values() if metric.member_pivots
        )
        == settings.DEMOGRAPHIC_METRICS
    )
    assert "conversionValueInLocalCurrency" not in settings.DEMOGRAPHIC_METRICS


def test_dbt_is_given_the_sources_attribution_window(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dbt_runner.attribution_window_days() == settings.DEFAULT_ATTRIBUTION_WINDOW_DAYS
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS", "7")
    assert dbt_runner.attribution_window_days() == 7
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__ATTRIBUTION_WINDOW_DAYS", "-1")
    with pytest.raises(ConfigError, match=r"ATTRIBUTION_WINDOW_DAYS: -1 is outside 0\.\.365"):
        dbt_runner.attribution_window_days()
