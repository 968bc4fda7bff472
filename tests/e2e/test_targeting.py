"""Sandbox -> bronze -> gold: the targeting bridge holds, row for row, the targeting criteria of
the sandbox's own campaign records, on DuckDB and on Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.dbt_project import build
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.e2e

FACET = "urn:li:adTargetingFacet:"
# The labels of the facets the sandbox targets, as a BI user reads them.
LABELS = {
    "interfaceLocales": "Interface language",
    "locations": "Location",
    "jobFunctions": "Job function",
    "titles": "Job title",
    "seniorities": "Seniority",
    "industries": "Industry",
    "audienceMatchingSegments": "Company or contact list",
    "staffCountRanges": "Company size",
    "employers": "Company",
}
COLUMNS = (
    "campaign_id, account_id, targeting_rule, group_index, facet_name, facet_label, value_urn, "
    "value_type, value_key"
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


def value_rows(
    campaign: dict[str, Any], rule: str, group_index: int, group: dict[str, list[str]]
) -> list[tuple[Any, ...]]:
    account_id = int(campaign["account"].rsplit(":", 1)[1])
    rows = []
    for facet_urn, values in group.items():
        facet = facet_urn.removeprefix(FACET)
        for value in values:
            _, _, kind, key = value.split(":", 3)
            rows.append(
                (
                    campaign["id"],
                    account_id,
                    rule,
                    group_index,
                    facet,
                    LABELS[facet],
                    value,
                    kind,
                    key,
                )
            )
    return rows


def expected_bridge(campaigns: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The bridge rows the campaign records call for: include AND-groups numbered from 1, the
    exclude OR-group as group 1."""
    rows = []
    for campaign in campaigns:
        criteria = campaign.get("targetingCriteria") or {}
        and_groups = criteria.get("include", {}).get("and", [])
        for index, group in enumerate(and_groups, start=1):
            rows += value_rows(campaign, "include", index, group["or"])
        if "exclude" in criteria:
            rows += value_rows(campaign, "exclude", 1, criteria["exclude"]["or"])
    return sorted(rows)


def assert_bridge_equals_sandbox(warehouse: Warehouse, sandbox: Any) -> None:
    # given the sandbox loaded and built
    load(warehouse, sandbox)
    build(warehouse)

    # then the bridge holds exactly the rows the sandbox's campaign records call for
    gold = sorted(query(warehouse, f"select {COLUMNS} from gold.bridge_campaign_targeting"))
    want = expected_bridge(sandbox.truth.campaigns)
    assert gold == want

    # and the sandbox exercises what BI filters on: every labelled facet, several facets in one
    # OR-group, several AND-groups, excludes
    assert {row[5] for row in gold} == set(LABELS.values())
    assert {row[2] for row in gold} == {"include", "exclude"}
    groups = {(row[0], row[3]) for row in gold if row[2] == "include"}
    facets_per_group = {
        group: {row[4] for row in gold if (row[0], row[3]) == group} for group in groups
    }
    assert max(len(facets) for facets in facets_per_group.values()) > 1
    assert max(index for _, index in groups) > 2


def test_targeting_bridge_equals_the_sandbox_campaigns_on_duckdb(
    sandbox: Any, duckdb_warehouse: Warehouse
) -> None:
    assert_bridge_equals_sandbox(duckdb_warehouse, sandbox)


@pytest.mark.postgres
def test_targeting_bridge_equals_the_sandbox_campaigns_on_postgres(
    sandbox: Any, postgres_warehouse: Warehouse
) -> None:
    assert_bridge_equals_sandbox(postgres_warehouse, sandbox)
