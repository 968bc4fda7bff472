"""Which adAnalytics requests a run makes: per account, facets and date windows, and state.

A daily table is read per account, or per group of campaigns when a day of the account may reach
the row cap, in windows whose expected rows stay below the cap. A demographic (monthly) table is
read per campaign in whole months, from the first to the last month it may have delivered in.
Every run re-reads the attribution window before the last day it loaded; the state of an account
moves only over windows whose every task completed.

Which campaign may have delivered on a day comes from this run's daily campaign rows (`Delivery`,
a row is a day the campaign delivered) on the days they cover, and from each campaign's schedule
on days they do not (the campaign table not read first, or stopped early). A creative row needs
its campaign delivering and the creative created, so the creative table expects, per day, the
creatives created by then of the campaigns that delivered.

That count is an upper bound (a creative of a delivering campaign need not deliver that day), so
a daily table's windows are planned one at a time per account: each next window from the rows the
last one actually returned, as a share of the rows it was expected to return (`delivered_share`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from typing import Any

from ingest.linkedin_ads import analytics, restli, settings
from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.config import SyncOptions

__all__ = [
    "Delivery",
    "Task",
    "complete_through",
    "delivered_share",
    "facet_groups",
    "may_deliver",
    "plan_tasks",
    "running_on",
    "stale_days",
    "start_for",
]

Record = dict[str, Any]

# Windows planned from a measured share fill this much of the cap at most: the share of one
# window is not exactly the next one's, and a response at the cap costs a split.
MEASURED_FILL = 0.99
# A share measured on another account of the same table counts this much higher: accounts'
# rows per delivering campaign differ more than one account's windows do (a window at the cap
# costs two more requests, one a little short costs a share of one).
OTHER_ACCOUNT_MARGIN = 1.1


@dataclass(frozen=True)
class Delivery:
    """One account's daily campaign rows of this run, for every day from `start` through the
    run's today: per campaign URN, one slot per day from `start`, -1 where the campaign had no
    row (did not deliver), else its website conversions that day. An array per campaign, not a
    set of days and a dict of counts: those held about 75 MB for a whole run at 1,000 campaigns
    over two years (a date object, a set entry and a dict entry per campaign-day)."""

    start: date
    slots: dict[str, array[int]]

    @classmethod
    def pack(cls, start: date, rows: Iterable[tuple[str, date, int | None]]) -> Delivery:
        """From (campaign URN, day, website conversions or None) rows; days before `start` are
        left out."""
        slots: dict[str, array[int]] = {}
        for urn, day, conversions in rows:
            offset = (day - start).days
            if offset < 0:
                continue
            days = slots.get(urn)
            if days is None:
                days = slots[urn] = array("q")
            if len(days) <= offset:
                days.extend(repeat(-1, offset + 1 - len(days)))
            days[offset] = conversions or 0
        return cls(start, slots)

    def _slot(self, urn: str, day: date) -> int:
        days, offset = self.slots.get(urn), (day - self.start).days
        return days[offset] if days is not None and 0 <= offset < len(days) else -1

    def delivered(self, urn: str, day: date) -> bool:
        """Whether the campaign had a row on `day` (a day from `start` on)."""
        return self._slot(urn, day) >= 0

    def conversions(self, urn: str, day: date) -> int:
        """The campaign's website conversions on `day` (0 without a row)."""
        return max(self._slot(urn, day), 0)


@dataclass(frozen=True)
class Task:
    """One unit of concurrent work: an account's facet over one or more windows."""

    account_id: int
    facet_name: str
    facet_urns: tuple[str, ...]
    windows: tuple[Window, ...]
    campaign: str | None = None  # demographic tables: the campaign the rows belong to
    expected_rows: int = 0  # daily tables: the rows the estimate expects (before any share)


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


def may_deliver(campaign: Record, delivery: Delivery | None) -> Callable[[date], bool]:
    """Whether `campaign` may have delivered on a day: its rows where this run read them, else
    its schedule."""
    urn = _urn(campaign)

    def on(day: date) -> bool:
        if delivery is not None and day >= delivery.start:
            return delivery.delivered(urn, day)
        return running_on(campaign, day)

    return on


def delivered_share(expected_rows: int, rows: int) -> float | None:
    """The share of the estimate's rows (`Task.expected_rows`) that a window returned; None
    when either is 0 (a window that returned nothing says nothing about the next one)."""
    return rows / expected_rows if rows and expected_rows else None


def _created_by(creatives: Sequence[Record]) -> Callable[[date], int]:
    """How many of `creatives` exist by the end of a day (a creative without createdAt always)."""
    created = sorted(_day(creative.get("createdAt")) or date.min for creative in creatives)
    return lambda day: bisect_right(created, day)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def facet_groups(
    campaigns: Sequence[Record], weight: Callable[[Record], float], cap: int
) -> list[list[Record] | None]:
    """[None] (one request covers the account) unless a day of the account may reach the cap.

    Then campaigns are packed into groups whose rows for one day stay below the cap, each asked
    for with the `campaigns` facet.
    """
    if sum(weight(campaign) for campaign in campaigns) < cap:
        return [None]
    groups: list[list[Record]] = [[]]
    load = 0.0
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
    delivery: Delivery | None = None,
    share: float | None = None,
    rows_per_entity: float = 1,
    converted_only: bool = False,
    measured: Mapping[str, float] | None = None,
) -> list[Task]:
    """An account's tasks from `start` to today.

    `creatives` is given for the creative table only: a campaign then weighs its creatives (one
    row each per day), otherwise one. `rows_per_entity` is the rows one delivering entity
    (creative or campaign) is expected to have per day: more than one for a table split by a
    second pivot (at most one per device an impression was served on, or as measured). The
    estimate, `Task.expected_rows` and the cap are all counted in rows, so that a measured share
    compares like with like.

    `delivery`, when given, says which campaigns delivered on the days it covers.
    `converted_only` (the by-rule table): a creative-day has rows only when it converted, so on
    the days `delivery` covers a campaign expects no more of its creatives than its conversions
    that day (a converting creative-day has at least one). `measured` (a table read per
    campaign-day, by device): campaign URN -> the rows per delivering day its earlier windows
    returned; such a campaign expects those instead of `rows_per_entity`, so that the next
    windows follow which campaigns deliver then.

    `share` (daily tables), when given, is the measured share of the estimate's rows that came
    (`delivered_share` of the window before `start`): windows then expect that share of the
    estimate and stay below `MEASURED_FILL` of the cap.
    """
    end = options.today
    if start > end:
        return []
    if granularity == "MONTHLY":
        tasks = []
        for campaign in campaigns:
            on = may_deliver(campaign, delivery)
            days = [day for day in _days(start, end) if on(day)]
            if days:  # months between delivering ones ride along: splitting costs a request
                window = Window(days[0].replace(day=1), min(end, _month_end(days[-1])))
                tasks.append(
                    Task(account_id, "campaigns", (_urn(campaign),), (window,), _urn(campaign))
                )
        return tasks
    by_campaign: dict[Any, list[Record]] = {}
    for creative in creatives or ():
        by_campaign.setdefault(creative.get("campaign"), []).append(creative)

    def weight(campaign: Record) -> float:
        entities = 1 if creatives is None else len(by_campaign.get(_urn(campaign), ()))
        return entities * rows_per_entity

    def rows_per_day(campaign: Record) -> Callable[[date], float]:
        """Expected rows of `campaign` on a day: 0 when it did not deliver."""
        on = may_deliver(campaign, delivery)
        if creatives is None:
            rows = (measured or {}).get(_urn(campaign), rows_per_entity)
            return lambda day: rows if on(day) else 0
        created = _created_by(by_campaign.get(_urn(campaign), ()))
        if not converted_only or delivery is None:
            return lambda day: created(day) * rows_per_entity if on(day) else 0
        covered, urn = delivery.start, _urn(campaign)

        def converting(day: date) -> float:
            if day < covered:  # no rows of this run: the schedule
                return created(day) * rows_per_entity if on(day) else 0
            return min(created(day), delivery.conversions(urn, day)) * rows_per_entity

        return converting

    scale, cap = (
        (1.0, options.row_cap) if share is None else (share, options.row_cap * MEASURED_FILL)
    )
    tasks = []
    for group in facet_groups(campaigns, weight, options.row_cap):
        members = [rows_per_day(c) for c in (campaigns if group is None else group)]
        estimate = {day: sum(rows(day) for rows in members) for day in _days(start, end)}
        windows = analytics.plan_windows(
            start, end, lambda day, estimate=estimate: scale * estimate[day], cap=cap
        )
        if group is None:
            facet = ("accounts", (restli.urn("sponsoredAccount", account_id),))
        else:
            facet = ("campaigns", tuple(_urn(c) for c in group))
        tasks.extend(
            Task(
                account_id,
                *facet,
                (window,),
                expected_rows=round(sum(estimate[day] for day in _days(window.start, window.end))),
            )
            for window in windows
        )
    return tasks


def complete_through(tasks: Sequence[Task], done: Sequence[Task]) -> date | None:
    """Last day before the first unfinished window; None when nothing before it finished."""
    unfinished = [window.start for task in tasks if task not in done for window in task.windows]
    if not unfinished:
        return None
    first_gap = min(unfinished)
    finished = [window.end for task in done for window in task.windows if window.end < first_gap]
    return max(finished) if finished else None
