"""Which adAnalytics requests a run makes: per account, facets and date windows, and state.

A daily table is read per account, or per group of campaigns when a day of the account may reach
the row cap, in windows whose expected rows stay below the cap (expected from each campaign's own
schedule). A demographic (monthly) table is read per campaign in whole months. Every run re-reads
the attribution window before the last day it loaded; the state of an account moves only over
windows whose every task completed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ingest.linkedin_ads import analytics, restli, settings
from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.config import SyncOptions

__all__ = [
    "Task",
    "complete_through",
    "facet_groups",
    "plan_tasks",
    "running_on",
    "stale_days",
    "start_for",
]

Record = dict[str, Any]


@dataclass(frozen=True)
class Task:
    """One unit of concurrent work: an account's facet over one or more windows."""

    account_id: int
    facet_name: str
    facet_urns: tuple[str, ...]
    windows: tuple[Window, ...]
    campaign: str | None = None  # demographic tables: the campaign the rows belong to


def start_for(options: SyncOptions, granularity: str, loaded_through: str | None) -> date:
    """First day to read: the start date, or the attribution window before the last load."""
    start = options.start_date
    if loaded_through:
        lookback = timedelta(days=max(options.attribution_window_days - 1, 0))
        start = max(start, date.fromisoformat(loaded_through) - lookback)
    return start.replace(day=1) if granularity == "MONTHLY" else start


def stale_days(options: SyncOptions, granularity: str, loaded_through: str | None) -> Window | None:
    """Days loaded earlier that LinkedIn may still restate but this run does not re-read."""
    if not loaded_through or granularity != "DAILY":
        return None
    restatable_from = max(
        options.start_date, options.today - timedelta(days=settings.RESTATEMENT_DAYS - 1)
    )
    first_reread = start_for(options, granularity, loaded_through)
    if restatable_from >= first_reread:
        return None
    return Window(restatable_from, first_reread - timedelta(days=1))


def _day(epoch_ms: Any) -> date | None:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).date() if epoch_ms else None


def running_on(campaign: Record, day: date) -> bool:
    """Whether a campaign may have delivered on `day`, judged from its own schedule."""
    if campaign.get("status") == "DRAFT":
        return False
    schedule = campaign.get("runSchedule") or {}
    start, end = _day(schedule.get("start")), _day(schedule.get("end"))
    return (start is None or start <= day) and (end is None or day <= end)


def _urn(campaign: Record) -> str:
    return restli.urn("sponsoredCampaign", campaign["id"])


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def facet_groups(
    campaigns: Sequence[Record], weight: Callable[[Record], int], cap: int
) -> list[list[Record] | None]:
    """[None] (one request covers the account) unless a day of the account may reach the cap.

    Then campaigns are packed into groups whose rows for one day stay below the cap, each asked
    for with the `campaigns` facet.
    """
    if sum(weight(campaign) for campaign in campaigns) < cap:
        return [None]
    groups: list[list[Record]] = [[]]
    load = 0
    for campaign in campaigns:
        if groups[-1] and load + weight(campaign) >= cap:
            groups.append([])
            load = 0
        groups[-1].append(campaign)
        load += weight(campaign)
    return list(groups)


def plan_tasks(
    *,
    account_id: int,
    granularity: str,
    campaigns: Sequence[Record],
    creatives: Sequence[Record] | None,
    start: date,
    options: SyncOptions,
) -> list[Task]:
    """An account's tasks from `start` to today.

    `creatives` is given for the creative table only: a campaign then weighs its creatives (one
    row each per day), otherwise one.
    """
    end = options.today
    if start > end:
        return []
    if granularity == "MONTHLY":
        months = tuple(analytics.plan_month_windows(start, end))
        return [
            Task(account_id, "campaigns", (_urn(campaign),), months, _urn(campaign))
            for campaign in campaigns
            if any(running_on(campaign, day) for day in _days(start, end))
        ]
    per_campaign = Counter(creative.get("campaign") for creative in creatives or ())

    def weight(campaign: Record) -> int:
        return 1 if creatives is None else per_campaign[_urn(campaign)]

    tasks = []
    for group in facet_groups(campaigns, weight, options.row_cap):
        members = campaigns if group is None else group
        windows = analytics.plan_windows(
            start,
            end,
            lambda day, members=members: sum(weight(c) for c in members if running_on(c, day)),
            cap=options.row_cap,
        )
        if group is None:
            facet = ("accounts", (restli.urn("sponsoredAccount", account_id),))
        else:
            facet = ("campaigns", tuple(_urn(c) for c in group))
        tasks.extend(Task(account_id, *facet, (window,)) for window in windows)
    return tasks


def complete_through(tasks: Sequence[Task], done: Sequence[Task]) -> date | None:
    """Last day before the first unfinished window; None when nothing before it finished."""
    unfinished = [window.start for task in tasks if task not in done for window in task.windows]
    if not unfinished:
        return None
    first_gap = min(unfinished)
    finished = [window.end for task in done for window in task.windows if window.end < first_gap]
    return max(finished) if finished else None
