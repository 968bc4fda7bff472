"""The client's view of the adAnalytics contract against the sandbox's own statement of it.

The only sandbox test that imports the client: the sandbox states the documented contract
independently (ingest/sandbox/contract.py), so a wrong metric name, wire type, pivot or limit in
the client fails here instead of being served back to it by an emulator that shares its mistake.
"""

from __future__ import annotations

import pytest

from ingest.linkedin_ads import settings as client
from ingest.sandbox import SandboxConfig, contract

CLIENT_METRICS = {metric.api_name: metric for metric in client.METRICS}
DOCUMENTED_METRICS = contract.METRIC_NAMES | contract.NOT_EMULATED_METRICS


def test_client_requests_every_additive_metric_and_nothing_else() -> None:
    assert sorted(CLIENT_METRICS) == sorted(contract.ADDITIVE_METRICS)


def test_client_leaves_out_only_documented_metrics_that_cannot_be_summed() -> None:
    range_limited = set(contract.RANGE_LIMITED_METRICS)
    assert set(client.EXCLUDED_METRICS) == range_limited | contract.NOT_EMULATED_METRICS
    assert set(client.EXCLUDED_METRICS) <= DOCUMENTED_METRICS


@pytest.mark.parametrize(
    "spec", [s for s in contract.METRICS if s.name in CLIENT_METRICS], ids=lambda s: s.name
)
def test_metric_wire_type_and_member_pivot_support(spec: contract.MetricSpec) -> None:
    metric = CLIENT_METRICS[spec.name]
    # the client parses "decimal" metrics from JSON strings and "count" metrics as integers
    assert {"decimal": "decimal", "count": "integer"}[metric.kind] == spec.wire
    assert metric.demographic == spec.member_pivots


def test_demographic_metrics_are_served_for_member_pivots() -> None:
    assert set(client.DEMOGRAPHIC_METRICS) <= contract.METRIC_NAMES
    assert not set(client.DEMOGRAPHIC_METRICS) & contract.ENTITY_PIVOT_ONLY_METRICS


def test_demographic_pivots_are_the_member_pivots() -> None:
    assert set(client.DEMOGRAPHIC_PIVOTS.values()) == contract.MEMBER_PIVOTS
    assert len(client.DEMOGRAPHIC_PIVOTS) == len(contract.MEMBER_PIVOTS)


def test_request_and_response_limits() -> None:
    assert client.MAX_FIELDS_PER_REQUEST == contract.MAX_FIELDS_PER_REQUEST
    # a chunk of metrics leaves room for the row fields, which count toward the limit
    assert client.METRICS_PER_CHUNK + len(contract.ROW_FIELDS) <= contract.MAX_FIELDS_PER_REQUEST
    assert client.ANALYTICS_ROW_CAP == contract.ROW_CAP == SandboxConfig().row_cap


def test_status_filters_name_every_documented_status() -> None:
    assert set(client.CAMPAIGN_STATUSES) == set(contract.CAMPAIGN_STATUSES)
    assert set(client.CAMPAIGN_GROUP_STATUSES) == set(contract.CAMPAIGN_GROUP_STATUSES)
    assert set(client.CAMPAIGN_STATUSES) >= contract.HIDDEN_WITHOUT_STATUS_FILTER


def test_client_page_size_is_accepted_by_every_entity_finder() -> None:
    assert client.ENTITY_PAGE_SIZE <= contract.MAX_CREATIVE_PAGE_SIZE <= contract.MAX_PAGE_SIZE


def test_client_asks_the_posts_api_only_for_post_urns_within_its_batch_limit() -> None:
    assert client.POST_URN_TYPES == contract.POST_URN_TYPES
    assert 1 <= client.POSTS_BATCH_SIZE <= contract.MAX_POSTS_PER_BATCH_GET
