"""Query builders shared by the sandbox tests."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote


def enc(urn: str) -> str:
    return quote(urn, safe="")


def restli_range(start: date, end: date | None = None) -> str:
    value = f"start:(year:{start.year},month:{start.month},day:{start.day})"
    if end is not None:
        value += f",end:(year:{end.year},month:{end.month},day:{end.day})"
    return f"({value})"


def analytics_query(
    pivot: str,
    facet: str,
    urns: list[str],
    start: date,
    end: date | None = None,
    granularity: str = "DAILY",
    fields: list[str] | None = None,
) -> str:
    """A Rest.li 2.0 q=analytics query, encoded as LinkedIn's own client encodes it."""
    parts = [
        "q=analytics",
        f"pivot=(value:{pivot})",
        f"timeGranularity=(value:{granularity})",
        f"dateRange={restli_range(start, end)}",
        f"{facet}=List({','.join(enc(u) for u in urns)})",
    ]
    if fields is not None:
        parts.append("fields=" + ",".join(fields))
    return "&".join(parts)


def account_urn(account_id: int) -> str:
    return f"urn:li:sponsoredAccount:{account_id}"
