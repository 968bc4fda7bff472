"""OAuth 2.0: consent URL, code exchange, refresh grant and its errors (reference §10)."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from ingest.linkedin_ads.auth import (
    OAuthError,
    Token,
    redact,
    refresh_access_token,
)

OAUTH_URL = "http://127.0.0.1:9/oauth/v2"
# Fake secrets: each contains "SECRET" so a leak is easy to assert on.
REFRESH = "refresh-token-SECRET-1"
CLIENT_SECRET = "client-secret-SECRET-2"
ACCESS = "access-token-SECRET-3"
TOKEN_BODY = {
    "access_token": ACCESS,
    "expires_in": 5183999,
    "refresh_token": REFRESH,
    "refresh_token_expires_in": 31556951,
    "scope": "r_ads,r_ads_reporting",
    "token_type": "Bearer",
}


def _token_endpoint(status: int, body: object, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_refresh_posts_the_refresh_grant_as_a_form_and_returns_the_token() -> None:
    seen: list[httpx.Request] = []
    token = refresh_access_token(
        OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=_token_endpoint(200, TOKEN_BODY, seen)
    )
    assert token == Token(
        access_token=ACCESS,
        expires_in=5183999,
        refresh_token=REFRESH,
        refresh_token_expires_in=31556951,
        scope="r_ads,r_ads_reporting",
    )
    (request,) = seen
    assert request.method == "POST"
    assert request.url == f"{OAUTH_URL}/accessToken"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH],
        "client_id": ["cid"],
        "client_secret": [CLIENT_SECRET],
    }


def test_token_repr_hides_access_and_refresh_tokens() -> None:
    token = Token(ACCESS, 60, REFRESH, 100, "r_ads")
    assert "SECRET" not in repr(token)
    assert "expires_in=60" in repr(token)


def test_invalid_refresh_token_names_the_setting_and_the_api_description() -> None:
    body = {
        "error": "invalid_request",
        "error_description": "The provided authorization grant or refresh token is invalid, "
        "expired or revoked",
    }
    transport = _token_endpoint(400, body, [])
    with pytest.raises(OAuthError) as caught:
        refresh_access_token(OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=transport)
    message = str(caught.value)
    assert "SOURCES__LINKEDIN_ADS__REFRESH_TOKEN" in message
    assert "invalid, expired or revoked" in message
    assert "\n" not in message
    assert caught.value.status == 400
    assert caught.value.error == "invalid_request"
    assert "SECRET" not in message
    assert "SECRET" not in repr(caught.value.args)


def test_invalid_client_names_client_id_and_secret_settings() -> None:
    body = {"error": "invalid_client", "error_description": "Client authentication failed"}
    with pytest.raises(OAuthError, match="SOURCES__LINKEDIN_ADS__CLIENT_SECRET"):
        refresh_access_token(
            OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=_token_endpoint(401, body, [])
        )


def test_error_description_echoing_a_secret_is_redacted() -> None:
    body = {"error": "invalid_request", "error_description": f"bad token {REFRESH}"}
    with pytest.raises(OAuthError) as caught:
        refresh_access_token(
            OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=_token_endpoint(400, body, [])
        )
    assert REFRESH not in str(caught.value)
    assert "bad token ***" in str(caught.value)


def test_non_json_token_response_is_a_one_line_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>bad</html>"))
    with pytest.raises(OAuthError, match=r"^LinkedIn OAuth 502: .*not answer JSON$"):
        refresh_access_token(OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=transport)


def test_unreachable_token_endpoint_is_a_one_line_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(OAuthError, match=r"could not reach .*ConnectError"):
        refresh_access_token(
            OAUTH_URL, REFRESH, "cid", CLIENT_SECRET, transport=httpx.MockTransport(handler)
        )


def test_redact_masks_every_secret_and_ignores_empty_ones() -> None:
    text = "Bearer abcdef and ghijkl"
    assert redact(text, "abcdef", "ghijkl", None, "") == "Bearer *** and ***"
