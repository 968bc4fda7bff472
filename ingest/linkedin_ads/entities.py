"""Ad accounts and their entities (campaign groups, campaigns, creatives), read once per run.

The entity resources and the adAnalytics planning share one EntityCache, so each account's lists
are fetched once. A 403 or 404 on an account skips that account with a warning; a daily quota
stops the run (what completed is still committed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

from ingest.linkedin_ads import restli, settings
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.config import SETTING_PREFIX, ConfigError
from ingest.linkedin_ads.errors import (
    DailyQuotaExceededError,
    NotFoundError,
    PermissionDeniedError,
)
from ingest.linkedin_ads.stats import SyncStats

__all__ = ["ENTITY_FINDERS", "EntityCache", "account_id", "read_accounts"]

Record = dict[str, Any]


def account_id(urn_or_id: Any) -> int:
    """An ad account's id from its id or its `urn:li:sponsoredAccount:` URN."""
    return int(restli.parse_urn(urn_or_id)[1]) if isinstance(urn_or_id, str) else int(urn_or_id)


def read_accounts(client: LinkedInClient, account_ids: tuple[int, ...] | None) -> list[Record]:
    """Every ad account the token can read, narrowed to ACCOUNT_IDS (each of which must exist)."""
    readable = [
        account for page in client.paginate("adAccounts", [("q", "search")]) for account in page
    ]
    if account_ids is None:
        return readable
    by_id = {account_id(account["id"]): account for account in readable}
    missing = [str(wanted) for wanted in account_ids if wanted not in by_id]
    if missing:
        raise ConfigError(
            f"{SETTING_PREFIX}ACCOUNT_IDS: no ad account {', '.join(missing)} among the "
            f"{len(by_id)} this token can read"
        )
    return [by_id[wanted] for wanted in account_ids]


def _status_search(statuses: Sequence[str]) -> dict[str, Any]:
    return {"status": {"values": list(statuses)}}


# entity kind -> (path, finder parameters) of one account's records of that kind
ENTITY_FINDERS: dict[str, Callable[[int], tuple[str, list[tuple[str, Any]]]]] = {
    "campaign_groups": lambda account: (
        f"adAccounts/{account}/adCampaignGroups",
        [("q", "search"), ("search", _status_search(settings.CAMPAIGN_GROUP_STATUSES))],
    ),
    "campaigns": lambda account: (
        f"adAccounts/{account}/adCampaigns",
        [("q", "search"), ("search", _status_search(settings.CAMPAIGN_STATUSES))],
    ),
    "creatives": lambda account: (
        f"adAccounts/{account}/creatives",
        [("q", "criteria"), ("sortOrder", "ASCENDING")],
    ),
}


class EntityCache:
    """Per-account entity lists, fetched once and shared by the entity and analytics resources."""

    def __init__(self, client: LinkedInClient, stats: SyncStats) -> None:
        self._client = client
        self._stats = stats
        self._cache: dict[tuple[str, int], list[Record] | None] = {}
        self._lock = threading.Lock()
        self._account_locks: dict[int, threading.Lock] = {}
        self._prefetching = False

    def get(self, kind: str, account: int) -> list[Record] | None:
        """The account's records of `kind`, or None when the account is skipped or stopped."""
        key = (kind, account)
        with self._lock:
            account_lock = self._account_locks.setdefault(account, threading.Lock())
        # One fetch at a time per account (other accounts fetch meanwhile): an account refused
        # for one kind is skipped, with one warning, for the kinds asked for after it.
        with account_lock:
            if key not in self._cache:
                self._cache[key] = self._fetch(kind, account)
            return self._cache[key]

    def prefetch(self, kinds: Sequence[str], accounts: Sequence[int], pool: Executor) -> None:
        """Fetch `kinds` for every account on `pool`, accounts side by side (once; `get` waits
        for a fetch under way). An account's kinds stay in order, so that an account refused
        for one is skipped for the rest; a fetch that fails is tried again by `get`."""
        with self._lock:
            if self._prefetching:
                return
            self._prefetching = True
        for account in accounts:
            pool.submit(lambda account=account: [self.get(kind, account) for kind in kinds])

    def _fetch(self, kind: str, account: int) -> list[Record] | None:
        if self._stats.stopped_by or account in self._stats.skipped_accounts:
            return None
        path, params = ENTITY_FINDERS[kind](account)
        try:
            return [row for page in self._client.paginate(path, params) for row in page]
        except (PermissionDeniedError, NotFoundError) as error:
            self._stats.skipped_accounts[account] = str(error)
            self._stats.warn(f"ad account {account} skipped: {error}")
        except DailyQuotaExceededError as error:
            self._stats.stop(error)
        return None
