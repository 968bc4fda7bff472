"""OAuth 2.0: sign-in (consent URL, loopback callback, state, code exchange, saving the tokens),
the refresh grant and its errors."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from ingest.__main__ import main
from ingest.linkedin_ads import tokens
from ingest.linkedin_ads.auth import OAuthError, Token, TokenEndpoint, redact
from ingest.linkedin_ads.config import ConfigError
from ingest.linkedin_ads.signin import (
    SignIn,
    SignInError,
    authorization_url,
    loopback_address,
    parse_scopes,
    save_sign_in,
    sign_in,
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


def refresh(transport: httpx.BaseTransport) -> Token:
    return TokenEndpoint(OAUTH_URL, "cid", CLIENT_SECRET, transport=transport).refresh(REFRESH)


def test_refresh_posts_the_refresh_grant_as_a_form_and_returns_the_token() -> None:
    seen: list[httpx.Request] = []
    token = refresh(_token_endpoint(200, TOKEN_BODY, seen))
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
        refresh(transport)
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
        refresh(_token_endpoint(401, body, []))


def test_error_description_echoing_a_secret_is_redacted() -> None:
    body = {"error": "invalid_request", "error_description": f"bad token {REFRESH}"}
    with pytest.raises(OAuthError) as caught:
        refresh(_token_endpoint(400, body, []))
    assert REFRESH not in str(caught.value)
    assert "bad token ***" in str(caught.value)


def test_non_json_token_response_is_a_one_line_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>bad</html>"))
    with pytest.raises(OAuthError, match=r"^LinkedIn OAuth 502: .*not answer JSON$"):
        refresh(transport)


def test_unreachable_token_endpoint_is_a_one_line_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(OAuthError, match=r"could not reach .*ConnectError"):
        refresh(httpx.MockTransport(handler))


def test_redact_masks_every_secret_and_ignores_empty_ones() -> None:
    text = "Bearer abcdef and ghijkl"
    assert redact(text, "abcdef", "ghijkl", None, "") == "Bearer *** and ***"


# -- 3-legged sign-in ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def browser(answer: Callable[[dict[str, str]], dict[str, str]]) -> Callable[[str], None]:
    """Plays the member's browser: reads the announced URL and calls redirect_uri with what
    `answer` makes of the authorization parameters (a stray request first, which must not end
    the wait)."""

    def announce(url: str) -> None:
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

        def visit() -> None:
            redirect = params["redirect_uri"]
            httpx.get(redirect.replace("/callback", "/favicon.ico"), timeout=5)
            httpx.get(f"{redirect}?{urlencode(answer(params))}", timeout=5)

        threading.Thread(target=visit, daemon=True).start()

    return announce


def sign_in_with(
    answer: Callable[[dict[str, str]], dict[str, str]],
    seen: list[httpx.Request],
    timeout: float = 10.0,
) -> SignIn:
    endpoint = TokenEndpoint(
        OAUTH_URL, "cid", CLIENT_SECRET, _token_endpoint(200, TOKEN_BODY, seen)
    )
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    return sign_in(endpoint, redirect_uri, browser(answer), open_browser=False, timeout=timeout)


def test_authorization_url_asks_for_a_code_with_both_ad_scopes() -> None:
    url = authorization_url(OAUTH_URL + "/", "cid", "http://127.0.0.1:8400/callback", "st8")
    assert url == (
        f"{OAUTH_URL}/authorization?response_type=code&client_id=cid"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2Fcallback&state=st8"
        "&scope=r_ads%20r_ads_reporting"
    )


def test_sign_in_exchanges_the_code_for_the_redirect_it_was_issued_to() -> None:
    seen: list[httpx.Request] = []
    result = sign_in_with(lambda p: {"code": "the-code", "state": p["state"]}, seen)
    assert result.token.access_token == ACCESS
    assert result.token.refresh_token_expires_in == 31556951
    (request,) = seen
    form = parse_qs(request.content.decode())
    assert form["grant_type"] == ["authorization_code"]
    assert form["code"] == ["the-code"]
    assert form["redirect_uri"][0].endswith("/callback")
    assert form["client_id"] == ["cid"]
    assert form["client_secret"] == [CLIENT_SECRET]


def test_a_state_mismatch_is_one_line_and_exchanges_nothing() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(SignInError, match="state does not match") as caught:
        sign_in_with(lambda p: {"code": "the-code", "state": "forged"}, seen)
    assert "\n" not in str(caught.value)
    assert seen == []


def test_a_cancelled_sign_in_says_what_linkedin_said_in_one_line() -> None:
    seen: list[httpx.Request] = []
    cancelled = {
        "error": "user_cancelled_login",
        "error_description": "The user cancelled\nLinkedIn login",
    }
    with pytest.raises(SignInError) as caught:
        sign_in_with(lambda p: {**cancelled, "state": p["state"]}, seen)
    assert str(caught.value) == (
        "LinkedIn sign-in user_cancelled_login: The user cancelled LinkedIn login; "
        "nothing was saved"
    )
    assert seen == []


def test_no_callback_in_time_is_one_line() -> None:
    def announce(url: str) -> None:
        pass

    with pytest.raises(SignInError, match=r"no answer on http://127\.0\.0\.1:\d+/callback"):
        sign_in(
            TokenEndpoint(OAUTH_URL, "cid", CLIENT_SECRET),
            f"http://127.0.0.1:{free_port()}/callback",
            announce,
            open_browser=False,
            timeout=0.2,
        )


@pytest.mark.parametrize(
    "uri", ["https://example.com/callback", "http://127.0.0.1/callback", "ftp://localhost:1/x"]
)
def test_a_redirect_uri_the_sign_in_cannot_listen_on_names_the_setting(uri: str) -> None:
    with pytest.raises(ConfigError, match=r"^SOURCES__LINKEDIN_ADS__REDIRECT_URI: "):
        loopback_address(uri)
    assert loopback_address("http://localhost:8400/cb") == ("127.0.0.1", 8400, "/cb")


def test_save_sign_in_writes_tokens_and_expiry_instants_and_drops_a_stale_refresh_token(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[sources.linkedin_ads]\nclient_id = "cid"\nrefresh_token = "AQW-stale"\n')
    issued = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    save_sign_in(path, SignIn(Token("AQV-1", 5_184_000, None, None), issued))
    assert tokens.read_section(path) == {
        "client_id": "cid",
        "access_token": "AQV-1",
        "access_token_expires_at": "2026-04-30T12:00:00Z",
    }
    save_sign_in(path, SignIn(Token("AQV-2", 5_184_000, "AQW-2", 31_536_000), issued))
    stored = tokens.read_section(path)
    assert stored["refresh_token"] == "AQW-2"
    assert stored["refresh_token_expires_at"] == "2027-03-01T12:00:00Z"


def test_auth_without_a_client_id_exits_2_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DLT_PROJECT_DIR", str(tmp_path))
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__CLIENT_SECRET", "s3cret-value")
    assert main(["auth", "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: SOURCES__LINKEDIN_ADS__CLIENT_ID: not set")
    assert "\n" not in err
    assert not (tmp_path / ".dlt" / "secrets.toml").exists()


def test_the_scopes_setting_adds_scopes_and_keeps_the_reporting_one() -> None:
    # the default is the two ad scopes; a list adds the posts scope, commas or spaces alike
    assert parse_scopes(None) == ("r_ads", "r_ads_reporting")
    scopes = parse_scopes("r_ads, r_ads_reporting r_organization_social")
    assert scopes == ("r_ads", "r_ads_reporting", "r_organization_social")
    url = authorization_url(OAUTH_URL, "cid", "http://127.0.0.1:8400/callback", "st8", scopes)
    assert "&scope=r_ads%20r_ads_reporting%20r_organization_social" in url
    # a list that could not read analytics names the setting
    with pytest.raises(ConfigError, match=r"SOURCES__LINKEDIN_ADS__SCOPES: 'r_ads' lacks"):
        parse_scopes("r_ads")
