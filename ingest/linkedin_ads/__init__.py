"""The `linkedin_ads` dlt source: ad accounts, campaign groups, campaigns, creatives, the posts
the creatives show, adAnalytics.

Settings follow dlt (`SOURCES__LINKEDIN_ADS__<KEY>` in the environment, `.dlt/config.toml`,
`.dlt/secrets.toml`). Calling the source checks the settings and lists the ad accounts the token
can read, so bad input fails before anything is written. Entities are the API's own records (each
keeps the account and campaign it names); analytics are daily per campaign and per creative, and
monthly per campaign for the professional demographic pivots, re-read over the attribution window
on every run and merged on their keys. Analytics resources yield Arrow tables (one per task), which
dlt writes to parquet as they are; `.dlt/config.toml` has its parquet normalizer add `_dlt_load_id`
and `_dlt_id`, so their bronze tables keep the columns of the other tables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from ingest.linkedin_ads import analytics, breakdowns, config, schema, settings, tokens
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.config import ConfigError
from ingest.linkedin_ads.entities import EntityCache, read_accounts
from ingest.linkedin_ads.posts import PostsReader
from ingest.linkedin_ads.reader import AnalyticsReader, Deliveries, read_ahead
from ingest.linkedin_ads.stats import SyncStats

__all__ = [
    "ARROW_TABLES",
    "BREAKDOWN_ANALYTICS",
    "DAILY_ANALYTICS",
    "DEMOGRAPHIC_ANALYTICS",
    "ENTITY_KINDS",
    "ConfigError",
    "SyncStats",
    "linkedin_ads",
]

logger = logging.getLogger("ingest.linkedin_ads")

ENTITY_KINDS = ("campaign_groups", "campaigns", "creatives")
DAILY_ANALYTICS = {"ad_analytics_by_campaign": "CAMPAIGN", "ad_analytics_by_creative": "CREATIVE"}
DEMOGRAPHIC_ANALYTICS = {
    f"ad_analytics_by_member_{name}": pivot for name, pivot in settings.DEMOGRAPHIC_PIVOTS.items()
}
# Statistics-finder tables: conversions by rule, delivery by device (breakdowns.py).
BREAKDOWN_ANALYTICS = {breakdown.table: breakdown for breakdown in breakdowns.BREAKDOWNS}
# The resources that yield Arrow tables (the others yield lists of dicts).
ARROW_TABLES = frozenset({*DAILY_ANALYTICS, *DEMOGRAPHIC_ANALYTICS, *BREAKDOWN_ANALYTICS})

Rows = list[dict[str, Any]]


@dlt.source(name="linkedin_ads", section="linkedin_ads")
def linkedin_ads(
    access_token: TSecretStrValue = dlt.secrets.value,
    refresh_token: TSecretStrValue | None = None,
    client_id: str | None = None,
    client_secret: TSecretStrValue | None = None,
    access_token_expires_at: Any = None,
    refresh_token_expires_at: Any = None,
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
    stats: SyncStats | None = None,
) -> list[DltResource]:
    """LinkedIn Ads entities and analytics for every ad account the token can read.

    `account_ids` (default: every readable account), `start_date` (default: a year ago) and
    `attribution_window_days` (days re-read before the last loaded day) choose what is read;
    `concurrency` (parallel adAnalytics requests), `row_cap` (the API's truncation cap; lower
    only against an emulator with a lower cap), `timeout` (seconds per request), `max_attempts`
    and `max_backoff` (retries) and `data_limit_wait` (seconds to wait on the 45-million-values
    throttle) how. `stats`, when given, is filled in with request counts, warnings and skipped
    accounts.
    """
    config.check_api_version(api_version)
    options = config.sync_options(
        account_ids=account_ids,
        start_date=start_date,
        attribution_window_days=attribution_window_days,
        concurrency=concurrency,
        row_cap=row_cap,
        today=datetime.now(UTC).date(),
    )
    stats = stats if stats is not None else SyncStats()
    client = LinkedInClient(
        base_url=config.check_url("BASE_URL", base_url),
        oauth_url=config.check_url("OAUTH_URL", oauth_url),
        api_version=str(api_version),
        access_token=access_token,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        # Written by `make auth`: when to refresh ahead and when to warn; refreshed tokens are
        # saved back to .dlt/secrets.toml when that is where the token came from.
        access_token_expires_at=tokens.parse_instant(
            "access_token_expires_at", access_token_expires_at
        ),
        refresh_token_expires_at=tokens.parse_instant(
            "refresh_token_expires_at", refresh_token_expires_at
        ),
        on_refresh=tokens.SecretsWriteback(),
        warn=stats.warn,
        timeout=float(timeout),
        max_attempts=config.parse_int("MAX_ATTEMPTS", max_attempts, 1, 20),
        max_backoff=float(max_backoff),
        data_limit_wait=float(data_limit_wait),
    )
    stats.api, stats.row_cap, stats.base_url = client.stats, options.row_cap, client.base_url
    client.check_token_lifetimes()
    try:
        accounts = read_accounts(client, options.account_ids)
    except BaseException:
        client.close()
        raise
    account_ids_ = [account["id"] for account in accounts]
    # Test accounts (`test: true`) cannot serve ads: their analytics are empty, never asked for.
    serving_ids = [account["id"] for account in accounts if not account.get("test")]
    entities = EntityCache(client, stats)
    # The analytics tables are read side by side; one pool of `concurrency` workers sends every
    # adAnalytics request of all of them (and first the entities' pages), so that at most
    # `concurrency` requests run at once and the requests, not the windows, share it.
    requests = ThreadPoolExecutor(options.concurrency, thread_name_prefix="adAnalytics")
    uses = _ClientUses(client, requests)  # closes both when the last resource is done
    # The daily campaign rows of this run: the creative and demographic tables plan from them.
    deliveries = Deliveries()
    readers: list[AnalyticsReader] = []  # every adAnalytics table's

    started = False

    def start_background() -> None:
        """Every account's entities at once on the request pool, and the analytics tables read
        ahead of dlt (reader.read_ahead): whichever resource dlt extracts first starts them
        (once; dlt runs the resources in its one extract thread)."""
        nonlocal started
        if not started:
            started = True
            entities.prefetch(ENTITY_KINDS, account_ids_, requests)
            read_ahead(readers)

    @dlt.resource(
        name="ad_accounts",
        primary_key="id",
        write_disposition="merge",
        columns=schema.entity_columns("ad_accounts"),
    )
    def ad_accounts() -> Iterator[Rows]:
        """The ad accounts this run reads (every account the token can read, or ACCOUNT_IDS)."""
        with uses:
            start_background()
            yield accounts

    def entity_resource(kind: str) -> DltResource:
        def rows() -> Iterator[Rows]:
            with uses:
                start_background()
                total = 0
                for account_id in account_ids_:
                    if records := entities.get(kind, account_id):
                        total += len(records)
                        yield records
                logger.info("%s: %s rows", kind, f"{total:,}")

        return dlt.resource(
            rows,
            name=kind,
            primary_key="id",
            write_disposition="merge",
            columns=schema.entity_columns(kind),
        )

    @dlt.resource(
        name="posts",
        primary_key="id",
        write_disposition="merge",
        columns=schema.entity_columns("posts"),
    )
    def posts() -> Iterator[Any]:
        """The sponsored posts (text, titles) of creatives new or changed since the last run."""
        with uses:
            creatives = [
                creative
                for account_id in account_ids_
                for creative in entities.get("creatives", account_id) or []
            ]
            yield from PostsReader(client, stats).rows(creatives, dlt.current.resource_state())

    # What every adAnalytics reader of this run shares: accounts, caches, the request pool.
    shared = {
        "accounts": serving_ids,
        "entities": entities,
        "client": client,
        "options": options,
        "stats": stats,
        "requests": requests,
        "deliveries": deliveries,
    }

    def reader_resource(
        reader: AnalyticsReader, primary_key: tuple[str, ...], columns: dict[str, Any]
    ) -> DltResource:
        readers.append(reader)

        def rows() -> Iterator[pa.Table]:
            with uses:
                start_background()
                yield from reader.rows()

        return dlt.resource(
            rows(),
            name=reader.table,
            primary_key=primary_key,
            # A reader yields each key once, so dlt's merge skips its dedup of the staging rows
            # (a window function over every column: 9 s of the 28 s a bench M load took). A
            # key loaded twice by a replayed load is repaired after it (pipeline.py).
            write_disposition={"disposition": "merge", "deduplicated": True},
            columns=columns,
        )

    def analytics_resource(table: str, pivot: str, granularity: str) -> DltResource:
        monthly = granularity == "MONTHLY"
        metrics = (
            tuple(settings.METRICS_BY_NAME[name] for name in settings.DEMOGRAPHIC_METRICS)
            if monthly
            else analytics.metrics_for_pivot(pivot)
        )
        reader = AnalyticsReader(
            table=table, pivot=pivot, granularity=granularity, metrics=metrics, **shared
        )
        return reader_resource(
            reader,
            schema.analytics_primary_key(by_campaign=monthly),
            schema.analytics_columns(metrics, by_campaign=monthly),
        )

    rules = breakdowns.ConversionRules(client, entities, stats)

    @dlt.resource(
        name="conversions",
        primary_key="id",
        write_disposition="merge",
        columns=schema.entity_columns("conversions"),
    )
    def conversions() -> Iterator[Rows]:
        """The conversion rules of the ad accounts (empty when the token may not read them)."""
        with uses:
            yield from breakdowns.conversion_rows(rules, account_ids_)

    def breakdown_resource(breakdown: breakdowns.Breakdown) -> DltResource:
        by_rule = breakdown.pivots[1] == "CONVERSION"
        reader = breakdowns.StatisticsReader(breakdown, rules=rules if by_rule else None, **shared)
        return reader_resource(
            reader,
            ("pivot_value", "breakdown_value", "start_date"),
            breakdowns.breakdown_columns(breakdown.metrics),
        )

    resources = [
        ad_accounts,
        *(entity_resource(kind) for kind in ENTITY_KINDS),
        posts,
        *(analytics_resource(table, pivot, "DAILY") for table, pivot in DAILY_ANALYTICS.items()),
        *(
            analytics_resource(table, pivot, "MONTHLY")
            for table, pivot in DEMOGRAPHIC_ANALYTICS.items()
        ),
        conversions,
        *(breakdown_resource(breakdown) for breakdown in breakdowns.BREAKDOWNS),
    ]
    uses.expect(len(resources))
    return resources


class _ClientUses:
    """Counts the resources still to finish with the client and closes it (and the request
    pool) after the last one.

    A resource that dlt never starts (left out of a run) keeps the client open until it is
    garbage collected.
    """

    def __init__(self, client: LinkedInClient, requests: ThreadPoolExecutor) -> None:
        self._client = client
        self._requests = requests
        self._left = 0
        self._lock = threading.Lock()

    def expect(self, resources: int) -> None:
        self._left = resources

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._left -= 1
            if self._left == 0:
                self._requests.shutdown(cancel_futures=True)
                self._client.close()
