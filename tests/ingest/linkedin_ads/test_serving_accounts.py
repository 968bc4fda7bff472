"""Test ad accounts (`test: true`) cannot serve ads: the source reads their entities, never their
analytics."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import unquote

import httpx
import pytest

from ingest.linkedin_ads import linkedin_ads
from ingest.linkedin_ads.client import LinkedInClient


class _Api(LinkedInClient):
    """One serving account (1) and one test account (2), no campaigns; records every URL."""

    urls: ClassVar[list[str]] = []

    def __init__(self, **settings: Any) -> None:
        def api(request: httpx.Request) -> httpx.Response:
            _Api.urls.append(unquote(str(request.url)))
            accounts = [{"id": 1, "test": False}, {"id": 2, "test": True}]
            elements = accounts if request.url.path.endswith("/adAccounts") else []
            return httpx.Response(200, json={"elements": elements, "metadata": {}})

        super().__init__(**settings, transport=httpx.MockTransport(api))


def test_test_accounts_get_entities_but_no_analytics_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _Api.urls.clear()
    monkeypatch.setattr("ingest.linkedin_ads.LinkedInClient", _Api)
    accounts = list(linkedin_ads(access_token="t", base_url="https://api.example/rest"))
    assert [a["id"] for a in accounts] == [1, 2]
    analytics = [url for url in _Api.urls if "/adAnalytics" in url]
    assert analytics
    assert all("sponsoredAccount:1" in url for url in analytics)
    assert not any("sponsoredAccount:2" in url for url in analytics)
    assert any("adAccounts/2/adCampaigns" in url for url in _Api.urls)
