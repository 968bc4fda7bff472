"""AnalyticsReader: reads one adAnalytics table for every account, concurrently, with state.

Every request of every reader runs on one shared pool of `concurrency` workers, so that at most
`concurrency` requests run at once however dlt interleaves the resources, and the pool stays busy
while a window waits for its last metric chunk. A task's rows are one Arrow table. The resource
state `loaded_through` (per account, the last day loaded) moves only over windows whose every
task completed, so a run stopped by the daily quota resumes the next time without a gap.

dlt extracts the tables one after another (fifo), but a table is read in the background from the
moment it can plan: the campaign table as the run starts (`read_ahead`, beside the entities),
every other table as soon as the campaign table's rows are recorded. dlt then takes each table's
rows as they come, and the request pool never drains at a table's end. Each table keeps at most
a few tasks and one batch of rows ahead of dlt.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa

from ingest.linkedin_ads import analytics, planning, settings
from ingest.linkedin_ads.analytics import AnalyticsFetch, Chunk
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.config import SETTING_PREFIX, SyncOptions
from ingest.linkedin_ads.entities import EntityCache
from ingest.linkedin_ads.errors import DailyQuotaExceededError
from ingest.linkedin_ads.planning import Task
from ingest.linkedin_ads.settings import Metric
from ingest.linkedin_ads.stats import SyncStats

__all__ = ["AnalyticsReader", "Deliveries", "read_ahead"]

logger = logging.getLogger("ingest.linkedin_ads")

Rows = pa.Table
# The campaign rows' conversions: the by-rule table expects rows only where there are some.
_CONVERSIONS = settings.METRICS_BY_NAME["externalWebsiteConversions"].column


class AnalyticsReader:
    """One adAnalytics table: plans tasks per account, runs them concurrently, keeps state."""

    def __init__(
        self,
        *,
        table: str,
        pivot: str,
        granularity: str,
        metrics: Sequence[Metric],
        accounts: Sequence[int],
        entities: EntityCache,
        client: LinkedInClient,
        options: SyncOptions,
        stats: SyncStats,
        requests: Executor,
        deliveries: Deliveries,
    ) -> None:
        stats.metrics[table] = len(metrics)
        self.table = table
        self.pivot = pivot
        self.granularity = granularity
        self.metrics = tuple(metrics)
        self.accounts = accounts
        self.entities = entities
        self.client = client
        self.options = options
        self.stats = stats
        self.requests = requests  # shared by every reader: at most `concurrency` requests
        self.deliveries = deliveries  # the campaign table records them, the others plan by them
        self.records_deliveries = pivot == "CAMPAIGN" and granularity == "DAILY"
        self.starts: dict[int, date] = {}  # account id -> first day this run reads
        self._state: dict[str, str] | None = None  # the resource state's loaded_through
        self._items: queue.Queue[Any] | None = None  # rows read ahead of dlt, then _DONE
        self._starting = threading.Lock()
        if not self.records_deliveries:
            deliveries.followers.append(self)

    def plan(self, account_id: int, loaded_through: str | None) -> list[Task] | None:
        """The account's tasks from the first day to read; None when they cannot be known in
        this run (the table refused, the run stopped): then the account's state stays."""
        start = planning.start_for(self.options, self.granularity, loaded_through)
        self.starts[account_id] = start
        return self._plan(account_id, start)

    def replan(self, task: Task, rows: int) -> list[Task]:
        """The account's tasks after `task`, planned from the rows `task` returned."""
        share = planning.delivered_share(task.expected_rows, rows)
        return self._plan(task.account_id, task.windows[-1].end + timedelta(days=1), share) or []

    def replan_from(self, account_id: int, share: float | None) -> list[Task]:
        """The account's tasks from its first day, planned from the share of the estimate that
        another account's first window returned (None: from the estimate alone)."""
        if share is not None:
            share *= planning.OTHER_ACCOUNT_MARGIN
        return self._plan(account_id, self.starts[account_id], share) or []

    def _plan(self, account_id: int, start: date, share: float | None = None) -> list[Task] | None:
        campaigns = self.entities.get("campaigns", account_id)
        if campaigns is None or start > self.options.today:
            return []
        creatives = None
        if self.granularity == "DAILY" and self.pivot == "CREATIVE":
            creatives = self.entities.get("creatives", account_id)
            if creatives is None:
                return []
        return planning.plan_tasks(
            account_id=account_id,
            granularity=self.granularity,
            campaigns=campaigns,
            creatives=creatives,
            start=start,
            options=self.options,
            delivery=None if self.records_deliveries else self.deliveries.get(account_id),
            share=share,
        )

    def run(self, task: Task) -> Rows | None:
        """The task's rows; None when the run stopped (a daily quota) before it completed."""
        if self.stats.stopped_by:
            return None
        try:
            return self._run(task)
        except _Stopped:
            return None

    def _send(self, request: Callable[[Chunk], Any]) -> Callable[[Chunk], Any]:
        """`request`, unless the run has stopped; a daily quota stops the run at once, so that
        no other request starts."""

        def send(chunk: Chunk) -> Any:
            if self.stats.stopped_by:
                raise _Stopped
            try:
                return request(chunk)
            except DailyQuotaExceededError as error:
                self.stats.stop(error)
                raise

        return send

    def _chunk_map(self, request: Callable[[Chunk], Any], chunks: Sequence[Chunk]) -> Iterator[Any]:
        return self.requests.map(self._send(request), chunks)

    def _fetch(self, task: Task) -> AnalyticsFetch:
        """The task's requests (`q=analytics`, one pivot), window by window."""
        return AnalyticsFetch(self.client, pivot=self.pivot, **self._fetch_options(task))

    def _fetch_options(self, task: Task) -> dict[str, Any]:
        """What every finder's fetch of `task` takes besides its pivot(s)."""
        return {
            "granularity": self.granularity,
            "facet_name": task.facet_name,
            "facet_urns": task.facet_urns,
            "windows": task.windows,
            "metrics": self.metrics,
            "cap": self.options.row_cap,
            "chunk_map": self._chunk_map,
        }

    def _shape(self, task: Task, rows: Rows) -> Rows:
        """The task's rows as bronze keeps them: a demographic row also names its campaign and
        pivot."""
        if task.campaign:
            for position, (name, value) in enumerate(
                (("campaign", task.campaign), ("pivot", self.pivot))
            ):
                field = pa.field(name, pa.string(), nullable=False)  # as the column hints say
                rows = rows.add_column(position, field, pa.repeat(value, rows.num_rows))
        return rows

    def _run(self, task: Task) -> Rows | None:
        fetch = self._fetch(task)
        rows = self._shape(task, pa.concat_tables([window_rows for _, window_rows in fetch]))
        self.stats.count(
            self.table, task.account_id, fetch.requests, rows.num_rows, fetch.split_windows
        )
        for message in fetch.truncated:
            self.stats.warn(message)
        return rows

    def warn_stale(self, state: dict[str, str]) -> None:
        """Warn about days loaded earlier that LinkedIn may restate but this run leaves alone."""
        stale = {
            planning.stale_days(self.options, self.granularity, state.get(str(account_id)))
            for account_id in self.accounts
        }
        for window in sorted((w for w in stale if w is not None), key=str):
            self.stats.warn(
                f"{self.table}: days {window} may be stale: LinkedIn restates conversions for "
                f"{settings.RESTATEMENT_DAYS} days but {SETTING_PREFIX}ATTRIBUTION_WINDOW_DAYS is "
                f"{self.options.attribution_window_days}, so they were not re-read"
            )

    def bind(self, state: dict[str, Any]) -> None:
        """Use `state`, this table's dlt resource state (taken in dlt's extract thread)."""
        if self._state is None:
            self._state = state.setdefault("loaded_through", {})

    def start(self) -> None:
        """Start reading in the background (once; `bind` first)."""
        with self._starting:
            if self._items is not None or self._state is None:
                return
            self._items = queue.Queue(maxsize=1)
            threading.Thread(target=self._read, name=f"{self.table}-reader", daemon=True).start()

    def rows(self) -> Iterator[Rows]:
        """The table's rows as the background reading yields them; the state moves on with the
        last of them."""
        self.bind(dlt.current.resource_state())
        self.start()
        assert self._items is not None
        while (item := self._items.get()) is not _DONE:
            self._items.task_done()
            if isinstance(item, BaseException):
                raise item
            yield item

    def _read(self) -> None:
        """Read the table, handing its rows to `rows` (an error too); then, for the campaign
        table, start the tables that plan from its rows."""
        assert self._items is not None
        try:
            for rows in self._tasks():
                # Handed over, not queued: the next batch is gathered only once dlt has taken
                # this one, so a table dlt has not reached yet holds one batch, not two.
                self._items.put(rows)
                self._items.join()
        except BaseException as error:
            self._items.put(error)
            return
        if self.records_deliveries:
            for follower in self.deliveries.followers:
                follower.start()
        self._items.put(_DONE)

    def _tasks(self) -> Iterator[Rows]:
        """The table's rows, task by task as they complete; then the state moves on."""
        state = self._state
        assert state is not None
        self.warn_stale(state)
        plans = {
            account_id: tasks
            for account_id in self.accounts
            if (tasks := self.plan(account_id, state.get(str(account_id)))) is not None
        }
        done: dict[int, list[Task]] = {account_id: [] for account_id in plans}
        progress = _Progress(self.table, sum(len(tasks) for tasks in plans.values()))
        # A daily table read for the whole account asks for one window at a time per account,
        # each planned from the rows of the one before (accounts still run side by side).
        one_by_one = {
            account_id
            for account_id, tasks in plans.items()
            if self.granularity == "DAILY" and all(t.facet_name == "accounts" for t in tasks)
        }
        # Their first windows can only expect every row the estimate allows (an upper bound),
        # so they come back part full. One account's first window goes ahead; the others' are
        # planned from the share it returned (with a margin: accounts differ), then sent.
        held = [] if self.records_deliveries else sorted(a for a in one_by_one if plans[a])[1:]
        queued = deque(
            task
            for account_id, tasks in plans.items()
            if account_id not in held
            for task in (tasks[:1] if account_id in one_by_one else tasks)
        )
        # Only a few tasks ahead of the rows dlt has taken: memory holds a few windows' rows,
        # never the table's history, however much faster the API answers than dlt writes.
        # Enough of them to give the request pool twice its workers' worth of chunk requests.
        chunks = max(1, len(analytics.metric_chunks(self.metrics)))
        ahead = max(2, math.ceil(2 * self.options.concurrency / chunks))
        batch = _Batch()
        with ThreadPoolExecutor(self.options.concurrency, thread_name_prefix=self.table) as pool:
            running: dict[Future[Rows | None], Task] = {}

            def submit() -> None:
                while queued and len(running) < ahead and not self.stats.stopped_by:
                    task = queued.popleft()
                    running[pool.submit(self.run, task)] = task

            try:
                submit()
                while running:
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        task = running.pop(future)
                        if future.cancelled():
                            continue
                        try:
                            rows = future.result()
                        except DailyQuotaExceededError as error:
                            self.stats.stop(error)
                            continue
                        if rows is None:
                            continue
                        done[task.account_id].append(task)
                        if task.account_id in one_by_one:
                            planned = plans[task.account_id]
                            rest = self.replan(task, rows.num_rows)
                            planned[planned.index(task) + 1 :] = rest
                            queued.extend(rest[:1])
                            if held:
                                share = planning.delivered_share(task.expected_rows, rows.num_rows)
                                for account_id in held:
                                    plans[account_id] = self.replan_from(account_id, share)
                                    queued.extend(plans[account_id][:1])
                                held = []
                            progress.tasks = sum(len(tasks) for tasks in plans.values())
                        if self.records_deliveries:
                            self.deliveries.record(task.account_id, rows)
                        progress.step(rows.num_rows)
                        if full := batch.add(rows):
                            yield full
                    submit()
            finally:
                for other in running:
                    other.cancel()
        if rest := batch.take():
            yield rest
        progress.finish(self.stats.requests[self.table])
        if self.records_deliveries and not self.stats.stopped_by:
            for account_id, tasks in plans.items():
                if len(done[account_id]) == len(tasks):
                    self.deliveries.complete(account_id, self.starts[account_id])
        for account_id, tasks in plans.items():
            through = _loaded_through(self.options.today, tasks, done[account_id])
            previous = state.get(str(account_id))
            if through and (previous is None or through.isoformat() > previous):
                state[str(account_id)] = through.isoformat()


def read_ahead(readers: Sequence[AnalyticsReader]) -> None:
    """Start reading before dlt reaches the tables: take the dlt resource states of the readers
    whose tables this run extracts (dlt's extract thread, in any resource of the source), and
    start the daily campaign table's reader, which starts the others once its rows are recorded.
    A table left out of the run is never read, so its state never moves."""
    selected = dlt.current.source().resources.selected
    for reader in readers:
        if reader.table in selected:
            reader.bind(dlt.current.resource_state(reader.table))
    for reader in readers:
        if reader.records_deliveries:
            reader.start()


class Deliveries:
    """This run's daily campaign rows per account, as the campaign table's reader records them,
    and the readers that plan from them (`followers`, which that reader starts once they are).

    `get` answers only for an account whose campaign table was read completely in this run, from
    its first day through today (before the other analytics tables plan); otherwise None, and the
    planner falls back on the campaigns' schedules. It never waits, so no reader can block
    another.
    """

    def __init__(self) -> None:
        self.followers: list[AnalyticsReader] = []
        self._lock = threading.Lock()
        self._rows: dict[int, list[pa.Table]] = {}
        self._complete: dict[int, planning.Delivery] = {}

    def record(self, account_id: int, rows: pa.Table) -> None:
        columns = ["pivot_value", "start_date"]
        if _CONVERSIONS in rows.column_names:
            columns.append(_CONVERSIONS)
        with self._lock:
            self._rows.setdefault(account_id, []).append(rows.select(columns))

    def complete(self, account_id: int, start: date) -> None:
        def rows(tables: list[pa.Table]) -> Iterator[tuple[str, date, int | None]]:
            for table in tables:
                urns, dates = table["pivot_value"].to_pylist(), table["start_date"].to_pylist()
                counts = (
                    table[_CONVERSIONS].to_pylist()
                    if _CONVERSIONS in table.column_names
                    else [None] * len(urns)
                )
                yield from zip(urns, dates, counts, strict=True)

        with self._lock:
            tables = self._rows.pop(account_id, [])
            self._complete[account_id] = planning.Delivery.pack(start, rows(tables))

    def get(self, account_id: int) -> planning.Delivery | None:
        with self._lock:
            return self._complete.get(account_id)


class _Batch:
    """Tasks' tables gathered into items of about a window's rows: dlt spends tens of ms per
    item (it validates the table's hints, ~100 columns), so one item per small demographic task
    would cost more than the rows themselves."""

    def __init__(self, rows: int = settings.ANALYTICS_ROW_CAP) -> None:
        self.rows = rows
        self._tables: list[pa.Table] = []
        self._count = 0

    def add(self, table: pa.Table) -> pa.Table | None:
        """The gathered rows once there are enough of them, else None."""
        if table.num_rows:
            self._tables.append(table)
            self._count += table.num_rows
        return self.take() if self._count >= self.rows else None

    def take(self) -> pa.Table | None:
        """Every gathered row (None when there is none), and start over."""
        if not self._tables:
            return None
        table = pa.concat_tables(self._tables)
        self._tables, self._count = [], 0
        return table


_DONE = object()  # the end of a table's rows


class _Stopped(Exception):
    """The run stopped (a daily quota) before this request was sent."""


def _loaded_through(today: date, tasks: Sequence[Task], done: Sequence[Task]) -> date | None:
    """Today when every task completed, else the last day before the first unfinished window."""
    if len(done) == len(tasks):
        return today
    return planning.complete_through(tasks, done)


class _Progress:
    """A log line per table every few seconds on long runs, and one when it is done."""

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
