"""The client's token lifetimes: refresh ahead of expiry, save what it minted, warn in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ingest.linkedin_ads.auth import Token
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.errors import AuthenticationError

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
OLD, NEW, REFRESH = "AQV-old-SECRET", "AQV-new-SECRET", "AQW-refresh-SECRET"


class Api:
    """/rest answers 200 for OLD and NEW (or 401 for OLD when `old_rejected`); the token
    endpoint mints NEW, or refuses with `refresh_status`."""

    def __init__(self, *, old_rejected: bool = False, refresh_status: int = 200) -> None:
        self.old_rejected = old_rejected
        self.refresh_status = refresh_status
        self.log: list[str] = []  # "refresh" or the token each API call carried

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/accessToken"):
            self.log.append("refresh")
            if self.refresh_status != 200:
                body = {"error": "invalid_request", "error_description": "revoked"}
                return httpx.Response(self.refresh_status, json=body)
            body = {
                "access_token": NEW,
                "expires_in": 5_184_000,
                "refresh_token": REFRESH,
                "refresh_token_expires_in": 20 * 86_400,
            }
            return httpx.Response(200, json=body)
        token = request.headers["Authorization"].removeprefix("Bearer ")
        self.log.append(token)
        if token == OLD and self.old_rejected:
            return httpx.Response(401, json={"status": 401, "message": "expired"})
        return httpx.Response(200, json={"elements": []})


def client(
    api: Api,
    *,
    access_left: timedelta | None = None,
    refresh_left: timedelta | None = None,
    refreshable: bool = True,
    **kwargs: Any,
) -> tuple[LinkedInClient, list[str], list[tuple[str, str | None, Token, datetime]]]:
    warnings: list[str] = []
    saved: list[tuple[str, str | None, Token, datetime]] = []
    grant = (
        {"refresh_token": REFRESH, "client_id": "cid", "client_secret": "cs-SECRET"}
        if refreshable
        else {}
    )
    return (
        LinkedInClient(
            base_url="http://127.0.0.1:9/rest",
            oauth_url="http://127.0.0.1:9/oauth/v2",
            api_version="202610",
            access_token=OLD,
            access_token_expires_at=NOW + access_left if access_left is not None else None,
            refresh_token_expires_at=NOW + refresh_left if refresh_left is not None else None,
            on_refresh=kwargs.pop("on_refresh", lambda *event: saved.append(event)),
            warn=warnings.append,
            clock=lambda: NOW,
            transport=httpx.MockTransport(api),
            sleep=lambda seconds: None,
            **grant,
            **kwargs,
        ),
        warnings,
        saved,
    )


def test_less_than_a_day_left_refreshes_before_the_first_request() -> None:
    api = Api()
    linkedin, warnings, saved = client(api, access_left=timedelta(hours=23))
    linkedin.get("adAccounts")
    linkedin.get("adAccounts")
    assert api.log == ["refresh", NEW, NEW]
    assert linkedin.stats.refreshes == 1
    assert linkedin.access_token_expires_at == NOW + timedelta(days=60)
    assert linkedin.refresh_token_expires_at == NOW + timedelta(days=20)
    ((replaced, refresh_used, token, issued_at),) = saved
    assert (replaced, refresh_used, token.access_token, issued_at) == (OLD, REFRESH, NEW, NOW)
    assert warnings == []


def test_more_than_a_day_left_or_no_known_expiry_does_not_refresh() -> None:
    for access_left in (timedelta(days=1, minutes=1), None):
        api = Api()
        linkedin, _, saved = client(api, access_left=access_left)
        linkedin.get("adAccounts")
        assert api.log == [OLD]
        assert saved == []


def test_a_failed_refresh_ahead_warns_once_and_goes_on_with_the_current_token() -> None:
    api = Api(refresh_status=400)
    linkedin, warnings, saved = client(api, access_left=timedelta(hours=2))
    linkedin.get("adAccounts")
    linkedin.get("adAccounts")
    assert api.log == ["refresh", OLD, OLD]
    (warning,) = warnings
    assert warning.startswith("refreshing the LinkedIn access token ahead of its expiry")
    assert "revoked" in warning
    assert "SECRET" not in warning
    assert saved == []


def test_a_401_refresh_is_saved_too() -> None:
    api = Api(old_rejected=True)
    linkedin, _, saved = client(api)
    linkedin.get("adAccounts")
    assert api.log == [OLD, "refresh", NEW]
    assert [event[0] for event in saved] == [OLD]


def test_a_401_without_a_refresh_grant_still_fails_naming_the_token_setting() -> None:
    api = Api(old_rejected=True)
    linkedin, _, _ = client(api, refreshable=False, access_left=timedelta(hours=1))
    with pytest.raises(AuthenticationError, match="SOURCES__LINKEDIN_ADS__ACCESS_TOKEN"):
        linkedin.get("adAccounts")


def test_a_token_that_cannot_be_saved_is_a_warning_not_a_failure() -> None:
    def unwritable(*event: object) -> None:
        raise PermissionError(13, "Permission denied")

    api = Api(old_rejected=True)
    linkedin, warnings, _ = client(api, on_refresh=unwritable)
    linkedin.get("adAccounts")
    assert api.log == [OLD, "refresh", NEW]
    assert warnings == [
        "could not save the refreshed LinkedIn access token (Permission denied); it is used for "
        "this run only"
    ]


def test_a_refresh_token_with_less_than_30_days_left_warns_with_its_date() -> None:
    linkedin, warnings, _ = client(Api(), refresh_left=timedelta(days=29))
    linkedin.check_token_lifetimes()
    assert warnings == [
        "the LinkedIn refresh token expires 2026-03-30 12:00 UTC (in 29 days); run `make auth` "
        "before then"
    ]
    linkedin, warnings, _ = client(Api(), refresh_left=timedelta(days=31))
    linkedin.check_token_lifetimes()
    assert warnings == []


def test_an_access_token_that_cannot_be_refreshed_warns_before_it_ends() -> None:
    linkedin, warnings, _ = client(Api(), refreshable=False, access_left=timedelta(days=3))
    linkedin.check_token_lifetimes()
    (warning,) = warnings
    assert warning.startswith("the LinkedIn access token expires 2026-03-04 12:00 UTC (in 3 days)")
    assert "run `make auth`" in warning


def test_the_source_puts_the_refresh_token_warning_in_the_run_summary() -> None:
    from ingest.linkedin_ads import SyncStats, linkedin_ads
    from ingest.sandbox import SandboxConfig, run_sandbox
    from tests.support.sandbox import source_args

    ends = datetime.now(UTC) + timedelta(days=10)
    stats = SyncStats()
    with run_sandbox(SandboxConfig()) as sandbox:
        linkedin_ads(**source_args(sandbox, refresh_token_expires_at=ends.isoformat()), stats=stats)
    (warning,) = stats.warnings
    assert warning.startswith(f"the LinkedIn refresh token expires {ends:%Y-%m-%d}")
