"""The `linkedin_ads` dlt source: ad accounts, campaign groups, campaigns, creatives, adAnalytics.

Configuration follows dlt (`SOURCES__LINKEDIN_ADS__<KEY>` in the environment, `.dlt/config.toml`,
`.dlt/secrets.toml`); the keys and their defaults are in DESIGN.md. Calling the source validates
the settings and lists the ad accounts the token can read, so bad input fails before anything is
written. Entities are the API's own records (each keeps the account and campaign it names);
analytics are daily per campaign and per creative, monthly per campaign for the professional
demographic pivots, re-read over the attribution window on every run and merged on their keys.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dlt
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from ingest.linkedin_ads import analytics, restli, settings
from ingest.linkedin_ads.analytics import Window
from ingest.linkedin_ads.client import (
    DailyQuotaExceededError,
    LinkedInClient,
    NotFoundError,
    PermissionDeniedError,
    RequestStats,
)
from ingest.linkedin_ads.settings import Metric

__all__ = ["ConfigError", "SyncReport", "linkedin_ads"]

logger = logging.getLogger("ingest.linkedin_ads")

DAILY_REPORTS = {"ad_analytics_by_campaign": "CAMPAIGN", "ad_analytics_by_creative": "CREATIVE"}
_SETTING = "SOURCES__LINKEDIN_ADS__"


class ConfigError(ValueError):
    """A setting the user must fix. The message is one line and names the setting."""


@dataclass
class SyncReport:
    """What one run did; the resources fill it in, the pipeline prints it."""

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


@dataclass(frozen=True)
class SyncOptions:
    account_ids: tuple[int, ...] | None
    start_date: date
    today: date
    attribution_window_days: int
    concurrency: int
    row_cap: int


def _parse_account_ids(value: Any) -> tuple[int, ...] | None:
    if value in (None, "", []):
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    ids = []
    for item in items:
        text = str(item).strip().removeprefix("urn:li:sponsoredAccount:")
        if not text.isdigit():
            raise ConfigError(
                f"{_SETTING}ACCOUNT_IDS: {str(item).strip()!r} is not an ad account id "
                "(a number such as 508720451)"
            )
        ids.append(int(text))
    return tuple(dict.fromkeys(ids))


def _parse_start_date(value: Any, today: date) -> date:
    if value in (None, ""):
        return today - timedelta(days=settings.DEFAULT_LOOKBACK_START_DAYS)
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ConfigError(
                f"{_SETTING}START_DATE: {value!r} is not a date (expected YYYY-MM-DD)"
            ) from None
    if value > today:
        raise ConfigError(
            f"{_SETTING}START_DATE: {value.isoformat()} is in the future (today is "
            f"{today.isoformat()} UTC)"
        )
    return value


def _parse_int(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{_SETTING}{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ConfigError(f"{_SETTING}{name}: {number} is outside {low}..{high}")
    return number


def _check_url(name: str, value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value or ""):
        raise ConfigError(f"{_SETTING}{name}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


def _account_id(urn_or_id: Any) -> int:
    return int(restli.parse_urn(urn_or_id)[1]) if isinstance(urn_or_id, str) else int(urn_or_id)


def _day(epoch_ms: Any) -> date | None:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).date() if epoch_ms else None


# Column types: where inference would guess wrong, and every optional field dbt reads, so that
# the column exists even when the API leaves the field out of every record.
_AUDIT = {
    "change_audit_stamps__created__time": "bigint",
    "change_audit_stamps__last_modified__time": "bigint",
}
_BUDGETS = {
    f"{budget}__{part}": "text"
    for budget in ("total_budget", "daily_budget")
    for part in ("amount", "currency_code")
}
_CAMPAIGN_TEXT = (
    "name", "account", "campaign_group", "status", "type", "cost_type", "objective_type",
    "optimization_target_type", "format", "creative_selection", "pacing_strategy",
    "unit_cost__amount", "unit_cost__currency_code", "locale__country", "locale__language",
    "associated_entity",
)  # fmt: skip
_CREATIVE_TEXT = (
    "name", "account", "campaign", "intended_status", "created_by", "last_modified_by",
    "review__status", "content__reference", "content__text_ad__headline",
    "content__text_ad__description", "content__text_ad__landing_page",
)  # fmt: skip
ENTITY_TYPES: dict[str, dict[str, str]] = {
    "ad_accounts": {
        "id": "bigint",
        **dict.fromkeys(("name", "currency", "status", "type", "reference"), "text"),
        "test": "bool",
        "total_budget__amount": "text",
        "total_budget__currency_code": "text",
        **_AUDIT,
    },
    "campaign_groups": {
        "id": "bigint",
        **dict.fromkeys(("name", "account", "status"), "text"),
        "test": "bool",
        "backfilled": "bool",
        "run_schedule__start": "bigint",
        "run_schedule__end": "bigint",
        **_BUDGETS,
        **_AUDIT,
    },
    "campaigns": {
        "id": "bigint",
        **dict.fromkeys(_CAMPAIGN_TEXT, "text"),
        "test": "bool",
        "run_schedule__start": "bigint",
        "run_schedule__end": "bigint",
        "targeting_criteria": "json",
        "offsite_preferences": "json",
        **_BUDGETS,
        **_AUDIT,
    },
    "creatives": {
        "id": "text",
        **dict.fromkeys(_CREATIVE_TEXT, "text"),
        "is_serving": "bool",
        "is_test": "bool",
        "created_at": "bigint",
        "last_modified_at": "bigint",
    },
}


def entity_columns(table: str) -> dict[str, dict[str, Any]]:
    """dlt column hints of an entity table (new dicts each call: dlt fills hints in place)."""
    return {
        column: {"data_type": data_type, "nullable": column != "id"}
        for column, data_type in ENTITY_TYPES[table].items()
    }


def metric_columns(metrics: Sequence[Metric]) -> dict[str, dict[str, Any]]:
    """Bronze column hints of adAnalytics metrics: counts bigint, BigDecimals decimal(38,18)."""
    return {
        metric.column: (
            {"data_type": "bigint", "nullable": False}
            if metric.kind == "count"
            else {"data_type": "decimal", "precision": 38, "scale": 18, "nullable": False}
        )
        for metric in metrics
    }


def _report_keys() -> dict[str, dict[str, Any]]:
    return {
        "pivot_value": {"data_type": "text", "nullable": False},
        "start_date": {"data_type": "date", "nullable": False},
        "end_date": {"data_type": "date", "nullable": False},
    }


class _Entities:
    """Per-account entity lists, fetched once and shared by the entity and analytics resources.

    A 403 or 404 on an account skips that account with a warning; a daily quota stops the run.
    """

    def __init__(self, client: LinkedInClient, report: SyncReport) -> None:
        self._client = client
        self._report = report
        self._cache: dict[tuple[str, int], list[dict[str, Any]] | None] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, account_id: int) -> list[dict[str, Any]] | None:
        """The account's records of `kind`, or None when the account is skipped or stopped."""
        with self._lock:
            key = (kind, account_id)
            if key not in self._cache:
                self._cache[key] = self._fetch(kind, account_id)
            return self._cache[key]

    def _fetch(self, kind: str, account_id: int) -> list[dict[str, Any]] | None:
        if self._report.stopped_by or account_id in self._report.skipped_accounts:
            return None
        path, params = _ENTITY_FINDERS[kind](account_id)
        try:
            return [row for page in self._client.paginate(path, params) for row in page]
        except (PermissionDeniedError, NotFoundError) as error:
            self._report.skipped_accounts[account_id] = str(error)
            self._report.warn(f"ad account {account_id} skipped: {error}")
        except DailyQuotaExceededError as error:
            self._report.stop(error)
        return None


def _status_search(statuses: Sequence[str]) -> dict[str, Any]:
    return {"status": {"values": list(statuses)}}


_ENTITY_FINDERS: dict[str, Callable[[int], tuple[str, list[tuple[str, Any]]]]] = {
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


def _running_on(campaign: dict[str, Any], day: date) -> bool:
    """Whether a campaign may have delivered on `day`, judged from its own schedule."""
    if campaign.get("status") == "DRAFT":
        return False
    schedule = campaign.get("runSchedule") or {}
    start, end = _day(schedule.get("start")), _day(schedule.get("end"))
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class _Task:
    account_id: int
    facet_name: str
    facet_urns: tuple[str, ...]
    windows: tuple[Window, ...]
    campaign: str | None = None  # demographic reports: the campaign the rows belong to


class _Report:
    """One adAnalytics resource: plans tasks per account, runs them concurrently, keeps state.

    State per account (`loaded_through`) moves only over windows whose every task completed,
    so a run stopped by the daily quota resumes the next time without a gap.
    """

    def __init__(
        self,
        *,
        table: str,
        pivot: str,
        granularity: str,
        metrics: Sequence[Metric],
        accounts: Sequence[int],
        entities: _Entities,
        client: LinkedInClient,
        options: SyncOptions,
        report: SyncReport,
        gate: threading.Semaphore,
    ) -> None:
        self.gate = gate  # shared by every report: at most `concurrency` tasks at once
        report.metrics[table] = len(metrics)
        self.table = table
        self.pivot = pivot
        self.granularity = granularity
        self.metrics = tuple(metrics)
        self.accounts = accounts
        self.entities = entities
        self.client = client
        self.options = options
        self.report = report

    def start_for(self, loaded_through: str | None) -> date:
        """First day to read: the start date, or the attribution window before the last load."""
        start = self.options.start_date
        if loaded_through:
            lookback = timedelta(days=max(self.options.attribution_window_days - 1, 0))
            start = max(start, date.fromisoformat(loaded_through) - lookback)
        return start.replace(day=1) if self.granularity == "MONTHLY" else start

    def plan(self, account_id: int, start: date) -> list[_Task]:
        campaigns = self.entities.get("campaigns", account_id)
        if campaigns is None or start > self.options.today:
            return []
        end = self.options.today
        if self.granularity == "MONTHLY":
            return [
                _Task(
                    account_id,
                    "campaigns",
                    (urn,),
                    tuple(analytics.plan_month_windows(start, end)),
                    urn,
                )
                for campaign in campaigns
                if any(_running_on(campaign, day) for day in _days(start, end))
                for urn in [restli.urn("sponsoredCampaign", campaign["id"])]
            ]
        if self.pivot == "CREATIVE":
            creatives = self.entities.get("creatives", account_id)
            if creatives is None:
                return []
            per_campaign = Counter(creative.get("campaign") for creative in creatives)
        else:
            per_campaign = Counter()

        def weight(campaign: dict[str, Any]) -> int:
            if self.pivot != "CREATIVE":
                return 1
            return per_campaign[restli.urn("sponsoredCampaign", campaign["id"])]

        groups = _facet_groups(campaigns, weight, self.options.row_cap)
        tasks = []
        for group in groups:
            members = campaigns if group is None else group
            windows = analytics.plan_windows(
                start,
                end,
                lambda day, members=members: sum(
                    weight(campaign) for campaign in members if _running_on(campaign, day)
                ),
                cap=self.options.row_cap,
            )
            if group is None:
                facet = ("accounts", (restli.urn("sponsoredAccount", account_id),))
            else:
                facet = (
                    "campaigns",
                    tuple(restli.urn("sponsoredCampaign", campaign["id"]) for campaign in group),
                )
            tasks.extend(_Task(account_id, *facet, (window,)) for window in windows)
        return tasks

    def run(self, task: _Task) -> list[dict[str, Any]] | None:
        """The task's rows; None when the run stopped (a daily quota) before it started."""
        with self.gate:
            if self.report.stopped_by:
                return None
            try:
                return self._run(task)
            except DailyQuotaExceededError as error:
                self.report.stop(error)  # at once, so that no other task starts a request
                raise

    def _run(self, task: _Task) -> list[dict[str, Any]]:
        fetch = analytics.fetch_report(
            self.client,
            pivot=self.pivot,
            granularity=self.granularity,
            facet_name=task.facet_name,
            facet_urns=task.facet_urns,
            windows=task.windows,
            metrics=self.metrics,
            cap=self.options.row_cap,
        )
        rows = [row for _, window_rows in fetch for row in window_rows]
        if task.campaign:
            for row in rows:
                row["campaign"] = task.campaign
                row["pivot"] = self.pivot
        self.report.count(
            self.table, task.account_id, fetch.requests, len(rows), fetch.split_windows
        )
        return rows

    def stale_days(self, loaded_through: str | None) -> Window | None:
        """Days loaded earlier that LinkedIn may still restate but this run does not re-read."""
        if not loaded_through or self.granularity != "DAILY":
            return None
        restatable_from = max(
            self.options.start_date,
            self.options.today - timedelta(days=settings.RESTATEMENT_DAYS - 1),
        )
        first_reread = self.start_for(loaded_through)
        if restatable_from >= first_reread:
            return None
        return Window(restatable_from, first_reread - timedelta(days=1))

    def warn_stale(self, state: dict[str, str]) -> None:
        stale = {self.stale_days(state.get(str(account_id))) for account_id in self.accounts}
        for window in sorted((w for w in stale if w is not None), key=str):
            self.report.warn(
                f"{self.table}: days {window} may be stale: LinkedIn restates conversions for "
                f"{settings.RESTATEMENT_DAYS} days but {_SETTING}ATTRIBUTION_WINDOW_DAYS is "
                f"{self.options.attribution_window_days}, so they were not re-read"
            )

    def rows(self) -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state().setdefault("loaded_through", {})
        self.warn_stale(state)
        plans = {
            account_id: self.plan(account_id, self.start_for(state.get(str(account_id))))
            for account_id in self.accounts
        }
        pending = {account_id: len(tasks) for account_id, tasks in plans.items()}
        done: dict[int, list[_Task]] = {account_id: [] for account_id in plans}
        progress = _Progress(self.table, sum(len(tasks) for tasks in plans.values()))
        with ThreadPoolExecutor(self.options.concurrency, thread_name_prefix=self.table) as pool:
            futures: dict[Future[list[dict[str, Any]] | None], _Task] = {
                pool.submit(self.run, task): task for tasks in plans.values() for task in tasks
            }
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    if future.cancelled():  # as_completed yields the tasks a quota stop cancelled
                        continue
                    try:
                        rows = future.result()
                    except DailyQuotaExceededError as error:
                        self.report.stop(error)
                        for other in futures:
                            other.cancel()
                        continue
                    if rows is None:
                        continue
                    done[task.account_id].append(task)
                    pending[task.account_id] -= 1
                    progress.step(len(rows))
                    if rows:
                        yield rows
            finally:
                for other in futures:
                    other.cancel()
        progress.finish(self.report.requests[self.table])
        for account_id, tasks in plans.items():
            through = (
                self.options.today
                if pending[account_id] == 0
                else _complete_through(tasks, done[account_id])
            )
            previous = state.get(str(account_id))
            if through and (previous is None or through.isoformat() > previous):
                state[str(account_id)] = through.isoformat()


class _Progress:
    """A log line per resource every few seconds on long runs, and one when it is done."""

    def __init__(self, table: str, tasks: int, every: float = 5.0) -> None:
        self.table, self.tasks, self.every = table, tasks, every
        self.done = self.rows = 0
        self.last = time.monotonic()

    def step(self, rows: int) -> None:
        self.done += 1
        self.rows += rows
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            logger.info(
                "%s: %d/%d windows, %s rows so far",
                self.table,
                self.done,
                self.tasks,
                f"{self.rows:,}",
            )

    def finish(self, requests: int) -> None:
        logger.info("%s: %s rows in %s requests", self.table, f"{self.rows:,}", f"{requests:,}")


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _facet_groups(
    campaigns: Sequence[dict[str, Any]], weight: Callable[[dict[str, Any]], int], cap: int
) -> list[list[dict[str, Any]] | None]:
    """[None] (one request covers the account) unless a day of the account may reach the cap.

    Then campaigns are packed into groups whose rows for one day stay below the cap, each asked
    for with the `campaigns` facet.
    """
    if sum(weight(campaign) for campaign in campaigns) < cap:
        return [None]
    groups: list[list[dict[str, Any]]] = [[]]
    load = 0
    for campaign in campaigns:
        if groups[-1] and load + weight(campaign) >= cap:
            groups.append([])
            load = 0
        groups[-1].append(campaign)
        load += weight(campaign)
    return list(groups)


def _complete_through(tasks: Sequence[_Task], done: Sequence[_Task]) -> date | None:
    """Last day before the first unfinished window; None when nothing before it finished."""
    unfinished = [window.start for task in tasks if task not in done for window in task.windows]
    if not unfinished:
        return None
    first_gap = min(unfinished)
    finished = [window.end for task in done for window in task.windows if window.end < first_gap]
    return max(finished) if finished else None


@dlt.source(name="linkedin_ads", section="linkedin_ads")
def linkedin_ads(
    access_token: TSecretStrValue = dlt.secrets.value,
    refresh_token: TSecretStrValue | None = None,
    client_id: str | None = None,
    client_secret: TSecretStrValue | None = None,
    base_url: str = settings.DEFAULT_BASE_URL,
    oauth_url: str = settings.DEFAULT_OAUTH_URL,
    api_version: str = settings.DEFAULT_API_VERSION,
    account_ids: Any = None,
    start_date: Any = None,
    attribution_window_days: int = settings.DEFAULT_ATTRIBUTION_WINDOW_DAYS,
    concurrency: int = settings.DEFAULT_CONCURRENCY,
    row_cap: int = settings.ANALYTICS_ROW_CAP,
    timeout: float = 30.0,
    max_attempts: int = 5,
    max_backoff: float = 30.0,
    data_limit_wait: float = settings.DATA_LIMIT_WAIT_SECONDS,
    report: SyncReport | None = None,
) -> list[DltResource]:
    """LinkedIn Ads entities and analytics for every ad account the token can read.

    Besides the keys in DESIGN.md: `concurrency` (parallel adAnalytics requests, default 4),
    `row_cap` (the API's truncation cap, 15,000; lower only against an emulator with a lower
    cap), `timeout` (seconds per request), `max_attempts` and `max_backoff` (retries) and
    `data_limit_wait` (seconds to wait on the 45-million-values throttle). `report`, when given,
    is filled in with request counts, warnings and skipped accounts.
    """
    today = datetime.now(UTC).date()
    if not re.fullmatch(r"\d{6}(\.\d{2})?", str(api_version)):
        raise ConfigError(f"{_SETTING}API_VERSION: {api_version!r} is not a version (YYYYMM)")
    options = SyncOptions(
        account_ids=_parse_account_ids(account_ids),
        start_date=_parse_start_date(start_date, today),
        today=today,
        attribution_window_days=_parse_int(
            "ATTRIBUTION_WINDOW_DAYS", attribution_window_days, 0, 365
        ),
        concurrency=_parse_int("CONCURRENCY", concurrency, 1, 32),
        row_cap=_parse_int("ROW_CAP", row_cap, 2, settings.ANALYTICS_ROW_CAP),
    )
    report = report if report is not None else SyncReport()
    client = LinkedInClient(
        base_url=_check_url("BASE_URL", base_url),
        oauth_url=_check_url("OAUTH_URL", oauth_url),
        api_version=str(api_version),
        access_token=access_token,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        timeout=float(timeout),
        max_attempts=_parse_int("MAX_ATTEMPTS", max_attempts, 1, 20),
        max_backoff=float(max_backoff),
        data_limit_wait=float(data_limit_wait),
    )
    report.api = client.stats
    report.row_cap = options.row_cap
    report.base_url = client.base_url
    accounts = _read_accounts(client, options.account_ids)
    account_ids_ = [account["id"] for account in accounts]
    entities = _Entities(client, report)
    # dlt interleaves the report resources; one gate bounds their requests together.
    gate = threading.Semaphore(options.concurrency)

    @dlt.resource(
        name="ad_accounts",
        primary_key="id",
        write_disposition="merge",
        columns=entity_columns("ad_accounts"),
    )
    def ad_accounts() -> Iterator[list[dict[str, Any]]]:
        """The ad accounts this run reads (every account the token can read, or ACCOUNT_IDS)."""
        yield accounts

    def entity_resource(kind: str) -> DltResource:
        def rows() -> Iterator[list[dict[str, Any]]]:
            total = 0
            for account_id in account_ids_:
                records = entities.get(kind, account_id)
                if records:
                    total += len(records)
                    yield records
            logger.info("%s: %s rows", kind, f"{total:,}")

        return dlt.resource(
            rows,
            name=kind,
            primary_key="id",
            write_disposition="merge",
            columns=entity_columns(kind),
        )

    def report_resource(table: str, pivot: str, granularity: str) -> DltResource:
        metrics = (
            tuple(settings.METRICS_BY_NAME[name] for name in settings.DEMOGRAPHIC_METRICS)
            if granularity == "MONTHLY"
            else analytics.metrics_for_pivot(pivot)
        )
        reader = _Report(
            table=table,
            pivot=pivot,
            granularity=granularity,
            metrics=metrics,
            accounts=account_ids_,
            entities=entities,
            client=client,
            options=options,
            report=report,
            gate=gate,
        )
        keys: tuple[str, ...] = ("pivot_value", "start_date")
        columns = {**_report_keys(), **metric_columns(metrics)}
        if granularity == "MONTHLY":
            keys = ("campaign", *keys)
            columns = {
                "campaign": {"data_type": "text", "nullable": False},
                "pivot": {"data_type": "text", "nullable": False},
                **columns,
            }
        return dlt.resource(
            reader.rows(),
            name=table,
            primary_key=keys,
            write_disposition="merge",
            columns=columns,
        )

    return [
        ad_accounts,
        *(entity_resource(kind) for kind in ("campaign_groups", "campaigns", "creatives")),
        *(report_resource(table, pivot, "DAILY") for table, pivot in DAILY_REPORTS.items()),
        *(
            report_resource(f"ad_analytics_by_member_{name}", pivot, "MONTHLY")
            for name, pivot in settings.DEMOGRAPHIC_PIVOTS.items()
        ),
    ]


def _read_accounts(
    client: LinkedInClient, account_ids: tuple[int, ...] | None
) -> list[dict[str, Any]]:
    """Every ad account the token can read, narrowed to ACCOUNT_IDS (each of which must exist)."""
    readable = [
        account for page in client.paginate("adAccounts", [("q", "search")]) for account in page
    ]
    if account_ids is None:
        return readable
    by_id = {_account_id(account["id"]): account for account in readable}
    missing = [str(account_id) for account_id in account_ids if account_id not in by_id]
    if missing:
        raise ConfigError(
            f"{_SETTING}ACCOUNT_IDS: no ad account {', '.join(missing)} among the "
            f"{len(by_id)} this token can read"
        )
    return [by_id[account_id] for account_id in account_ids]
