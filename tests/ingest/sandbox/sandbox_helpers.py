"""What the sandbox tests share: a thin loopback client and query builders."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from ingest.sandbox import Sandbox

VERSION = "202601"


class Api:
    """A thin loopback client: query strings are built by the caller, as a real client must."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(timeout=10)
        self.token = sandbox.access_token

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "LinkedIn-Version": VERSION}
        headers.update(extra)
        return headers

    def get(self, path: str, query: str = "", **headers: str) -> httpx.Response:
        url = f"{self.sandbox.base_url}/{path}" + (f"?{query}" if query else "")
        return self.http.get(url, headers=self.headers(**headers))

    def tunnel(self, path: str, query: str) -> httpx.Response:
        return self.http.post(
            f"{self.sandbox.base_url}/{path}",
            content=query.encode(),
            headers=self.headers(
                **{
                    "X-HTTP-Method-Override": "GET",
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            ),
        )

    def ok(self, path: str, query: str = "") -> dict[str, Any]:
        response = self.get(path, query)
        assert response.status_code == 200, response.text
        return response.json()

    def oauth(self, name: str, form: dict[str, str]) -> httpx.Response:
        return self.http.post(f"{self.sandbox.oauth_url}/{name}", data=form)

    def refresh_form(self) -> dict[str, str]:
        sandbox = self.sandbox
        return {
            "grant_type": "refresh_token",
            "refresh_token": sandbox.refresh_token,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        }

    def pages(self, path: str, query: str, page_size: int) -> list[list[dict[str, Any]]]:
        pages, token = [], None
        while True:
            suffix = f"&pageSize={page_size}" + (f"&pageToken={token}" if token else "")
            body = self.ok(path, query + suffix)
            pages.append(body["elements"])
            token = body["metadata"].get("nextPageToken")
            if not token:
                return pages

    def close(self) -> None:
        self.http.close()


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


def first_account(api: Api) -> int:
    return api.sandbox.truth.accounts[0]["id"]


def account_query(
    api: Api,
    pivot: str,
    account: int | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: str = "DAILY",
    fields: list[str] | None = None,
) -> str:
    """A q=analytics query faceted on one account (the first by default), from the first day."""
    truth = api.sandbox.truth
    return analytics_query(
        pivot,
        "accounts",
        [account_urn(first_account(api) if account is None else account)],
        start or truth.first_day,
        end,
        granularity,
        fields,
    )
