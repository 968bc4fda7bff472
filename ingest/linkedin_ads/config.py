"""The source's settings: parsed and checked once, before anything is read or written.

Every setting is `SOURCES__LINKEDIN_ADS__<KEY>` in the environment (or `[sources.linkedin_ads]`
in `.dlt/config.toml` and `.dlt/secrets.toml`); a bad value raises ConfigError, one line naming
the setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ingest.linkedin_ads import settings

__all__ = [
    "SETTING_PREFIX",
    "ConfigError",
    "SyncOptions",
    "check_api_version",
    "check_url",
    "parse_account_ids",
    "parse_int",
    "parse_start_date",
    "sync_options",
]

SETTING_PREFIX = "SOURCES__LINKEDIN_ADS__"


class ConfigError(ValueError):
    """A setting the user must fix. The message is one line and names the setting."""


@dataclass(frozen=True)
class SyncOptions:
    """What a run reads: which accounts, from which day, how far back it re-reads, how fast."""

    account_ids: tuple[int, ...] | None  # None: every ad account the token can read
    start_date: date
    today: date  # UTC
    attribution_window_days: int
    concurrency: int
    row_cap: int


def sync_options(
    *,
    account_ids: Any,
    start_date: Any,
    attribution_window_days: Any,
    concurrency: Any,
    row_cap: Any,
    today: date,
) -> SyncOptions:
    return SyncOptions(
        account_ids=parse_account_ids(account_ids),
        start_date=parse_start_date(start_date, today),
        today=today,
        attribution_window_days=parse_int(
            "ATTRIBUTION_WINDOW_DAYS", attribution_window_days, 0, 365
        ),
        concurrency=parse_int("CONCURRENCY", concurrency, 1, 32),
        row_cap=parse_int("ROW_CAP", row_cap, 2, settings.ANALYTICS_ROW_CAP),
    )


def parse_account_ids(value: Any) -> tuple[int, ...] | None:
    """Ids or `urn:li:sponsoredAccount:` URNs, a list or comma-separated; None when empty."""
    if value in (None, "", []):
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    ids = []
    for item in items:
        text = str(item).strip().removeprefix("urn:li:sponsoredAccount:")
        if not text.isdigit():
            raise ConfigError(
                f"{SETTING_PREFIX}ACCOUNT_IDS: {str(item).strip()!r} is not an ad account id "
                "(a number such as 508720451)"
            )
        ids.append(int(text))
    return tuple(dict.fromkeys(ids))


def parse_start_date(value: Any, today: date) -> date:
    """A YYYY-MM-DD date not after today; empty means a year before today."""
    if value in (None, ""):
        return today - timedelta(days=settings.DEFAULT_LOOKBACK_START_DAYS)
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ConfigError(
                f"{SETTING_PREFIX}START_DATE: {value!r} is not a date (expected YYYY-MM-DD)"
            ) from None
    if value > today:
        raise ConfigError(
            f"{SETTING_PREFIX}START_DATE: {value.isoformat()} is in the future (today is "
            f"{today.isoformat()} UTC)"
        )
    return value


def parse_int(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{SETTING_PREFIX}{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ConfigError(f"{SETTING_PREFIX}{name}: {number} is outside {low}..{high}")
    return number


def check_url(name: str, value: str) -> str:
    """An http(s) URL without its trailing slash."""
    if not re.match(r"^https?://[^/\s]+", value or ""):
        raise ConfigError(f"{SETTING_PREFIX}{name}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


def check_api_version(value: Any) -> str:
    """A LinkedIn-Version: YYYYMM, optionally with a .NN patch."""
    if not re.fullmatch(r"\d{6}(\.\d{2})?", str(value)):
        raise ConfigError(f"{SETTING_PREFIX}API_VERSION: {value!r} is not a version (YYYYMM)")
    return str(value)
