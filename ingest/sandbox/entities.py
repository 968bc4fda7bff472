"""Entity finders: adAccounts, adCampaignGroups, adCampaigns, creatives (cursor paging)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .config import SandboxConfig
from .contract import (
    DEFAULT_PAGE_SIZE,
    HIDDEN_WITHOUT_STATUS_FILTER,
    MAX_CREATIVE_PAGE_SIZE,
    MAX_PAGE_SIZE,
)
from .data import Advertiser
from .errors import bad_request, missing_parameter, not_found
from .restli import Query, as_list, decode_page_token, encode_page_token, search_values

Record = dict[str, Any]


def _drift(record: Record, kind: str, config: SandboxConfig) -> Record:
    """Apply the schema-drift knobs to a copy of a wire record."""
    record = copy.deepcopy(record)
    if config.drop_optional_fields:
        for name in (
            "totalBudget",
            "dailyBudget",
            "unitCost",
            "name" if kind == "creative" else "",
        ):
            record.pop(name, None)
        if kind == "creative":
            record.pop("leadgenCallToAction", None)
        if isinstance(record.get("runSchedule"), dict):
            record["runSchedule"].pop("end", None)
    if config.extra_fields:
        record["sandboxDriftFlag"] = True
        record["additionalAttributes"] = {"driftVersion": 2, "labels": ["drift"]}
    return record


def _page(
    kind: str,
    records: list[Record],
    query: Query,
    config: SandboxConfig,
    max_page_size: int,
    drift_kind: str,
) -> dict[str, Any]:
    raw_size = query.get("pageSize")
    try:
        page_size = DEFAULT_PAGE_SIZE if raw_size is None else int(raw_size)
    except (TypeError, ValueError) as exc:
        raise bad_request("Invalid value for parameter 'pageSize'") from exc
    if page_size < 1:
        raise bad_request("Invalid value for parameter 'pageSize'")
    if page_size > max_page_size:
        raise bad_request("Request would return too many entities")
    token = query.get("pageToken")
    offset = decode_page_token(str(token), kind) if token else 0
    if query.get("sortOrder") == "DESCENDING":
        records = records[::-1]
    elif query.get("sortOrder") not in (None, "ASCENDING"):
        raise bad_request("Invalid value for parameter 'sortOrder'")
    end = offset + page_size
    last = end >= len(records)
    if not last and config.short_page and page_size > 1:
        end -= 1  # a broken element dropped from a page that is not the last
    elements = [_drift(r, drift_kind, config) for r in records[offset:end]]
    metadata: dict[str, Any] = {}
    if not last:
        metadata["nextPageToken"] = encode_page_token(kind, end)
    return {"elements": elements, "metadata": metadata}


def _require_finder(query: Query, finder: str) -> None:
    q = query.get("q")
    if q is None:
        raise missing_parameter("q")
    if q != finder:
        raise bad_request(f"Invalid value '{q}' for parameter 'q'")


def _filter(
    records: list[Record],
    values: list[str] | None,
    key: Callable[[Record], str],
) -> list[Record]:
    if values is None:
        return records
    wanted = set(values)
    return [r for r in records if key(r) in wanted]


def _bool(value: Any, name: str) -> bool | None:
    if value is None:
        return None
    if value in ("true", "false"):
        return value == "true"
    raise bad_request(f"Invalid value for search criterion '{name}'")


def _common_search(records: list[Record], search: Any, urn_kind: str, hide: bool) -> list[Record]:
    records = _filter(
        records, search_values(search, "id"), lambda r: f"urn:li:{urn_kind}:{r['id']}"
    )
    statuses = search_values(search, "status")
    if statuses is None and hide:
        records = [r for r in records if r["status"] not in HIDDEN_WITHOUT_STATUS_FILTER]
    records = _filter(records, statuses, lambda r: r["status"])
    records = _filter(records, search_values(search, "name"), lambda r: r.get("name", ""))
    records = _filter(records, search_values(search, "type"), lambda r: r.get("type", ""))
    test = _bool(search.get("test") if isinstance(search, dict) else None, "test")
    if test is not None:
        records = [r for r in records if r.get("test") is test]
    return records


class EntityFinders:
    """The entity routes over one Advertiser."""

    def __init__(self, adv: Advertiser) -> None:
        self.adv = adv
        self.accounts_by_id = {a["id"]: a for a in adv.accounts}

    def account(self, account_id: int) -> Record:
        record = self.accounts_by_id.get(account_id)
        if record is None:
            raise not_found()
        return record

    def search_accounts(self, query: Query, config: SandboxConfig) -> dict[str, Any]:
        _require_finder(query, "search")
        search = query.get("search")
        records = _common_search(self.adv.accounts, search, "sponsoredAccount", hide=False)
        records = _filter(
            records, search_values(search, "reference"), lambda r: r.get("reference", "")
        )
        return _page("adAccounts", records, query, config, MAX_PAGE_SIZE, "account")

    def get_account(self, account_id: int, config: SandboxConfig) -> Record:
        return _drift(self.account(account_id), "account", config)

    def _owned(self, records: list[Record], account_id: int) -> list[Record]:
        self.account(account_id)
        urn = f"urn:li:sponsoredAccount:{account_id}"
        return [r for r in records if r["account"] == urn]

    def search_groups(self, account_id: int, query: Query, config: SandboxConfig) -> dict[str, Any]:
        _require_finder(query, "search")
        records = self._owned(self.adv.groups, account_id)
        records = _common_search(records, query.get("search"), "sponsoredCampaignGroup", hide=True)
        return _page(
            f"adCampaignGroups:{account_id}", records, query, config, MAX_PAGE_SIZE, "group"
        )

    def search_campaigns(
        self, account_id: int, query: Query, config: SandboxConfig
    ) -> dict[str, Any]:
        _require_finder(query, "search")
        search = query.get("search")
        records = self._owned(self.adv.campaigns, account_id)
        records = _common_search(records, search, "sponsoredCampaign", hide=True)
        records = _filter(
            records, search_values(search, "campaignGroup"), lambda r: r["campaignGroup"]
        )
        return _page(f"adCampaigns:{account_id}", records, query, config, MAX_PAGE_SIZE, "campaign")

    def search_creatives(
        self, account_id: int, query: Query, config: SandboxConfig
    ) -> dict[str, Any]:
        _require_finder(query, "criteria")
        records = self._owned(self.adv.creatives, account_id)
        if "campaigns" in query:
            wanted = {str(v) for v in as_list(query.get("campaigns"))}
            records = [r for r in records if r["campaign"] in wanted]
        if "creatives" in query:
            wanted = {str(v) for v in as_list(query.get("creatives"))}
            records = [r for r in records if r["id"] in wanted]
        if "intendedStatuses" in query:
            wanted = {str(v) for v in as_list(query.get("intendedStatuses"))}
            records = [r for r in records if r["intendedStatus"] in wanted]
        return _page(
            f"creatives:{account_id}", records, query, config, MAX_CREATIVE_PAGE_SIZE, "creative"
        )

    def get_child(self, account_id: int, kind: str, key: str, config: SandboxConfig) -> Record:
        """GET adAccounts/{id}/{adCampaignGroups|adCampaigns|creatives}/{id or URN}."""
        source = {"adCampaignGroups": self.adv.groups, "adCampaigns": self.adv.campaigns,
                  "creatives": self.adv.creatives}[kind]  # fmt: skip
        drift_kind = {
            "adCampaignGroups": "group",
            "adCampaigns": "campaign",
            "creatives": "creative",
        }[kind]
        for record in self._owned(source, account_id):
            if str(record["id"]) == key:
                return _drift(record, drift_kind, config)
        if kind == "creatives" and not key.startswith("urn:li:sponsoredCreative:"):
            raise bad_request(f"Invalid URN in path key 'id': '{key}' is not a valid URN")
        raise not_found()
