"""What a run did: HTTP attempts of the client (RequestStats) and a sync's statistics (SyncStats).

The client and the resources fill them in from several threads; the pipeline prints them.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from ingest.linkedin_ads import analytics, settings

__all__ = ["RequestStats", "SyncStats"]

logger = logging.getLogger("ingest.linkedin_ads")


@dataclass
class RequestStats:
    """Thread-safe counters: every attempt sent, by path kind and by status; retries; refreshes."""

    requests: int = 0
    retries: int = 0
    refreshes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_request(self, kind: str, status: int | None) -> None:
        with self._lock:
            self.requests += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            if status is not None:
                self.by_status[status] = self.by_status.get(status, 0) + 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_refresh(self) -> None:
        with self._lock:
            self.refreshes += 1


@dataclass
class SyncStats:
    """A run's statistics: adAnalytics calls and rows per table, warnings, skipped accounts."""

    requests: Counter[str] = field(default_factory=Counter)  # adAnalytics calls per table
    rows: Counter[tuple[str, int]] = field(default_factory=Counter)  # per table and account
    metrics: dict[str, int] = field(default_factory=dict)  # metrics requested per table
    row_cap: int = settings.ANALYTICS_ROW_CAP
    base_url: str = ""  # the API this run read
    split_windows: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped_accounts: dict[int, str] = field(default_factory=dict)
    stopped_by: str | None = None  # why the run stopped early (a daily quota), one line
    api: RequestStats | None = None  # every HTTP attempt, retry and token refresh
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def warn(self, message: str) -> None:
        with self._lock:
            if message in self.warnings:
                return
            self.warnings.append(message)
        logger.warning(message)

    def stop(self, error: Exception) -> None:
        with self._lock:
            if self.stopped_by is None:
                self.stopped_by = str(error)
                logger.error("%s; committing what completed and stopping", error)

    def count(self, table: str, account_id: int, requests: int, rows: int, splits: int) -> None:
        with self._lock:
            self.requests[table] += requests
            self.rows[table, account_id] += rows
            self.split_windows += splits

    def lower_bound(self, table: str) -> int:
        """The fewest adAnalytics calls any client needs for the rows this run read: per account,
        ceil(rows / cap) x ceil(metrics / 18)."""
        return sum(
            analytics.lower_bound_requests(rows, self.metrics[table], self.row_cap)
            for (name, _), rows in self.rows.items()
            if name == table
        )
