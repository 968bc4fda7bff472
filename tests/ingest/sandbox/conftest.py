"""Fixtures of the sandbox tests: a shared read-only sandbox and fresh ones for knob tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ingest.sandbox import Sandbox, SandboxConfig, run_sandbox

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


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One default sandbox per module; tests using it must not change knobs or data."""
    with run_sandbox(SandboxConfig()) as running:
        yield running


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.close()


@pytest.fixture
def fresh() -> Iterator[Callable[..., Api]]:
    """A factory of private sandboxes (with their client) for tests that turn knobs."""
    stack: list[tuple[Any, Api]] = []

    def make(**knobs: Any) -> Api:
        context = run_sandbox(SandboxConfig(**knobs))
        client = Api(context.__enter__())
        stack.append((context, client))
        return client

    yield make
    for context, client in stack:
        client.close()
        context.__exit__(None, None, None)
