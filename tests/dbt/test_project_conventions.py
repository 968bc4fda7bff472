"""Static checks of the dbt project against its conventions: fast, no warehouse. The build itself
(tests, contracts, unit tests) runs in `dbt build`; gold parity between engines and
incremental-equals-full-refresh are end-to-end tests (tests/e2e)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.linkedin_ads.settings import DEMOGRAPHIC_PIVOTS, GOLD_METRICS, METRICS

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
STAGING = PROJECT / "models" / "staging" / "linkedin_ads"
MARTS = PROJECT / "models" / "marts"

ROOT_TABLES = [
    "ad_accounts",
    "campaign_groups",
    "campaigns",
    "creatives",
    "posts",
    "ad_analytics_by_campaign",
    "ad_analytics_by_creative",
    *(f"ad_analytics_by_member_{suffix}" for suffix in DEMOGRAPHIC_PIVOTS),
    "conversions",
    "ad_analytics_by_conversion",
    "ad_analytics_by_device",
]
# Bronze tables an API may not serve (a missing scope, an older version), and posts before the
# first is read: dlt then never creates them, and their staging views read them through
# source_or_empty().
OPTIONAL_TABLES = {"posts", "conversions", "ad_analytics_by_conversion", "ad_analytics_by_device"}
# The sync log: in bronze, written by ingest/sync_log.py (not dlt), with its own staging view.
SYNC_LOG_TABLE = "_sync_runs"
# Bronze list fields: JSON columns of their parent table, unpacked in staging (no child tables).
JSON_LIST_COLUMNS = {
    "ad_accounts": ["serving_statuses"],
    "campaign_groups": ["serving_statuses"],
    "campaigns": ["serving_statuses"],
    "creatives": ["serving_hold_reasons", "review__rejection_reasons"],
}
METRIC_COLUMNS = list(GOLD_METRICS)  # the gold metric map, read from dbt_project.yml
# Gold tables and the columns BI queries rely on (a contract: names never change).
GOLD_COLUMNS = {
    "dim_ad_accounts": [
        "account_id", "account_name", "currency_code", "account_status", "account_type", "is_test",
    ],
    "dim_campaign_groups": [
        "campaign_group_id", "account_id", "campaign_group_name", "campaign_group_status",
        "run_schedule_start_at", "run_schedule_end_at", "total_budget_amount",
        "daily_budget_amount",
    ],
    "dim_campaigns": [
        "campaign_id", "account_id", "campaign_group_id", "campaign_name", "campaign_status",
        "campaign_type", "cost_type", "objective_type", "daily_budget_amount",
        "total_budget_amount", "currency_code", "run_schedule_start_at", "run_schedule_end_at",
        "created_at", "last_modified_at",
    ],
    "dim_creatives": [
        "creative_id", "campaign_id", "account_id", "creative_name", "creative_type",
        "creative_text", "creative_headline", "content_reference", "intended_status",
        "is_serving", "serving_hold_reasons",
    ],
    "dim_campaigns_history": ["campaign_id", "valid_from", "valid_to", "is_current"],
    "sync_runs": [
        "run_id", "started_at", "finished_at", "run_status", "api_base_url", "is_sandbox",
        "api_requests", "rows_loaded_json", "warnings_json", "stopped_reason",
    ],
    "account_freshness": ["account_id", "last_loaded_day", "last_successful_run_at"],
    "dim_creatives_history": ["creative_id", "valid_from", "valid_to", "is_current"],
    "fct_campaign_performance_daily": [
        "date_day", "account_id", "campaign_group_id", "campaign_id", "currency_code",
        *METRIC_COLUMNS,
    ],
    "fct_creative_performance_daily": [
        "date_day", "account_id", "campaign_group_id", "campaign_id", "creative_id",
        "currency_code", *METRIC_COLUMNS,
    ],
    "dim_conversions": [
        "conversion_id", "account_id", "conversion_name", "conversion_type", "is_enabled",
        "post_click_window_days", "view_through_window_days",
    ],
    "fct_conversion_performance_daily": [
        "date_day", "account_id", "campaign_id", "creative_id", "conversion_id", "currency_code",
        "conversions", "post_click_conversions", "post_view_conversions", "conversion_value_local",
    ],
    "fct_device_performance_daily": [
        "date_day", "account_id", "campaign_id", "device_type", "currency_code", "impressions",
        "clicks", "cost_local",
    ],
    "fct_demographic_performance_monthly": [
        "date_month", "account_id", "campaign_id", "demographic_pivot", "demographic_value",
        "impressions", "clicks", "cost_local",
    ],
    **{
        f"{grain}_report_daily": [
            "date_day", *METRIC_COLUMNS, "ctr", "cpc", "cpm", "conversion_rate",
            "cost_per_conversion", "cost_per_lead", "engagement_rate", "roas",
        ]
        for grain in ("account", "campaign_group", "campaign", "creative")
    },
}  # fmt: skip
# Types that resolve identically on DuckDB and Postgres (model contracts compare them).
PORTABLE_TYPES = {
    "bigint", "text", "numeric(38,18)", "double precision", "boolean", "date", "timestamp",
}  # fmt: skip


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def gold_models() -> dict[str, dict[str, Any]]:
    """Every gold model's YAML: the marts' model files and the semantic layer's time spine."""
    files = [
        *sorted(MARTS.glob("_*models.yml")),
        MARTS.parent / "semantic" / "_semantic__models.yml",
    ]
    return {model["name"]: model for path in files for model in load_yaml(path)["models"]}


def test_every_bronze_table_has_one_staging_view() -> None:
    for table in ROOT_TABLES:
        model = STAGING / f"stg_linkedin_ads__{table}.sql"
        assert model.exists(), f"missing staging view for bronze table {table}"
        reads = "source_or_empty" if table in OPTIONAL_TABLES else "source"
        assert f"{reads}('linkedin_ads', '{table}'" in model.read_text()
    views = {path.stem for path in STAGING.glob("stg_*.sql")}
    assert views == {f"stg_linkedin_ads__{table}" for table in ROOT_TABLES} | {
        "stg_linkedin_ads__sync_runs"
    }


def test_json_list_fields_are_unpacked_in_staging_with_the_one_macro() -> None:
    for table, columns in JSON_LIST_COLUMNS.items():
        sql = (STAGING / f"stg_linkedin_ads__{table}.sql").read_text()
        for column in columns:
            assert f"json_string_list('{column}')" in sql, f"{table}.{column}"


def test_every_staging_column_is_documented() -> None:
    documented = {
        model["name"]: model for model in load_yaml(STAGING / "_linkedin_ads__models.yml")["models"]
    }
    for path in STAGING.glob("stg_*.sql"):
        assert path.stem in documented, f"{path.stem} is not documented"
        model = documented[path.stem]
        assert model.get("description"), f"{path.stem} has no description"
        for column in model["columns"]:
            assert column.get("description"), f"{path.stem}.{column['name']} is not described"
        aliases = re.findall(r" as (\w+),?$", path.read_text(), flags=re.MULTILINE)
        missing = set(aliases) - {column["name"] for column in model["columns"]} - {"source"}
        assert missing == set(), f"{path.stem} does not document {sorted(missing)}"


def test_only_staging_reads_sources() -> None:
    outside = [
        path
        for path in (PROJECT / "models").rglob("*.sql")
        if "source(" in path.read_text() and STAGING not in path.parents
    ]
    assert outside == []


def test_sources_are_the_root_tables_with_freshness() -> None:
    (source,) = load_yaml(STAGING / "_linkedin_ads__sources.yml")["sources"]
    assert source["schema"] == "bronze"
    assert "_dlt_load_id" in source["config"]["loaded_at_field"]
    assert {"warn_after", "error_after"} <= set(source["config"]["freshness"])
    tables = {table["name"]: table for table in source["tables"]}
    assert set(tables) == {*ROOT_TABLES, SYNC_LOG_TABLE}
    assert tables[SYNC_LOG_TABLE]["config"]["freshness"] is None  # no _dlt_load_id
    for name, table in tables.items():
        assert table.get("description"), f"source table {name} has no description"


def test_gold_models_have_the_contract_columns(gold_models: dict[str, dict[str, Any]]) -> None:
    assert set(GOLD_COLUMNS) <= set(gold_models)
    for name, required in GOLD_COLUMNS.items():
        columns = [column["name"] for column in gold_models[name]["columns"]]
        missing = [column for column in required if column not in columns]
        assert missing == [], f"{name} lacks {missing}"


def test_gold_descriptions_start_with_the_grain(gold_models: dict[str, dict[str, Any]]) -> None:
    for name, model in gold_models.items():
        assert re.match(r"One row per [^.]+\.", model["description"]), name


def test_gold_contracts_are_enforced_with_portable_types(
    gold_models: dict[str, dict[str, Any]],
) -> None:
    for name, model in gold_models.items():
        assert model["config"]["contract"]["enforced"] is True, name
        for column in model["columns"]:
            assert column.get("description"), f"{name}.{column['name']} is not described"
            assert column["data_type"] in PORTABLE_TYPES, f"{name}.{column['name']}"


def test_demographic_fact_is_documented_as_approximate(
    gold_models: dict[str, dict[str, Any]],
) -> None:
    assert "APPROXIMATE" in gold_models["fct_demographic_performance_monthly"]["description"]


def test_gold_metric_map_is_the_var_and_names_catalogue_metrics() -> None:
    gold_metrics = load_yaml(PROJECT / "dbt_project.yml")["vars"]["gold_metrics"]
    assert list(gold_metrics) == METRIC_COLUMNS
    catalogue = {metric.api_name for metric in METRICS}
    assert {entry["api_metric"] for entry in gold_metrics.values()} <= catalogue
    assert gold_metrics["conversions"]["api_metric"] == "externalWebsiteConversions"
    assert {entry["kind"] for entry in gold_metrics.values()} == {"count", "money"}
    macro = (PROJECT / "macros" / "gold_metrics.sql").read_text()
    assert "var('gold_metrics')" in macro
    assert "'source':" not in macro, "the metric map is listed again in the macro"


def test_metric_columns_are_described_by_the_var(gold_models: dict[str, dict[str, Any]]) -> None:
    for name, model in gold_models.items():
        for column in model["columns"]:
            if column["name"] in METRIC_COLUMNS:
                expected = f"{{{{ var('gold_metrics').{column['name']}.description }}}}"
                assert column["description"] == expected, f"{name}.{column['name']}"
    docs = (MARTS / "_marts__docs.md").read_text()
    assert not any(f"{{% docs {column} %}}" in docs for column in METRIC_COLUMNS)


OUTSIDE_NAMES = (
    r"DESIGN\.md",
    r"CONVENTIONS\.md",
    r"\.\./" + "shared",
    "linkedin-marketing-" + "api",
    "stack-" + "notes",
    r"issue \d",
)


def test_no_reference_to_files_outside_the_repository() -> None:
    pattern = re.compile(
        # the team's own notes, which a clone does not contain (spelled in parts, so that this
        # pattern does not match itself)
        "|".join(OUTSIDE_NAMES),
        re.IGNORECASE,
    )
    built = {".git", ".venv", ".tools", "target", "logs", "dbt_packages", "__pycache__"}
    texts = {".py", ".sql", ".yml", ".yaml", ".md", ".csv", ".toml", ".cfg", ""}
    for path in PROJECT.parent.rglob("*"):
        if (
            path.is_file()
            and path.suffix in texts
            and not built & set(path.relative_to(PROJECT.parent).parts)
        ):
            assert not pattern.search(path.read_text(errors="replace")), path


def test_every_enabled_sqlfluff_rule_is_explained() -> None:
    config_path = PROJECT.parent / ".sqlfluff"
    lines = config_path.read_text().splitlines()
    parser = configparser.ConfigParser()
    parser.read(config_path)
    assert parser["sqlfluff"]["dialect"] == "postgres"
    assert parser["sqlfluff"]["templater"] == "dbt"
    rules = [line.strip().rstrip(",") for line in lines if re.match(r"^\s{4}[a-z_.]+,?$", line)]
    assert len(rules) > 20
    for rule in rules:
        index = next(i for i, line in enumerate(lines) if line.strip().rstrip(",") == rule)
        comment = lines[index - 1].strip()
        assert comment.startswith(f"# {rule} ("), f"{rule} is not explained on the line above"


def test_schema_names_are_exact() -> None:
    project = load_yaml(PROJECT / "dbt_project.yml")
    models = project["models"]["linkedin_ads"]
    assert models["staging"]["+schema"] == "silver"
    assert models["intermediate"]["+schema"] == "silver"
    assert models["marts"]["+schema"] == "gold"
    assert (
        "{{ custom_schema_name | trim }}"
        in (PROJECT / "macros" / "generate_schema_name.sql").read_text()
    )


def test_unit_test_names_fit_postgres_identifiers() -> None:
    # dbt names a unit test's relation after it, and Postgres cuts identifiers at 63 characters
    # (a longer name fails only when the unit tests run on Postgres)
    names = [
        unit_test["name"]
        for path in (PROJECT / "models").rglob("*.yml")
        for unit_test in load_yaml(path).get("unit_tests") or []
    ]
    assert names, "no unit tests found"
    too_long = [name for name in names if len(name) > 63]
    assert not too_long, too_long
