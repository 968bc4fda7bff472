"""`python -m ingest auth` (`make auth`): LinkedIn's 3-legged sign-in on a loopback callback.

Sign-in prints LinkedIn's authorization URL, receives the redirect on a loopback HTTP server
(SOURCES__LINKEDIN_ADS__REDIRECT_URI, which must equal a redirect URL registered on the app),
checks `state`, exchanges the code at the token endpoint and saves the tokens with their expiry
instants to `.dlt/secrets.toml` (mode 0600).
"""

from __future__ import annotations

import html
import os
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from ingest.linkedin_ads import settings, tokens
from ingest.linkedin_ads.auth import OAuthError, Token, TokenEndpoint
from ingest.linkedin_ads.config import SETTING_PREFIX, ConfigError, check_url

SCOPES = ("r_ads", "r_ads_reporting")
# Post text (dim_creatives.creative_text) needs r_organization_social too, which an app only has
# with a product that grants it; the SCOPES setting asks for it.
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8400/callback"
LOOPBACK_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}


class SignInError(OAuthError):
    """The sign-in did not complete (cancelled, a state mismatch, no answer); nothing was saved."""


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """The SCOPES setting (space- or comma-separated), or the two ad scopes when unset; a list
    without `r_ads_reporting` is a ConfigError (no run could read analytics)."""
    scopes = tuple(dict.fromkeys((text or "").replace(",", " ").split())) or SCOPES
    if "r_ads_reporting" not in scopes:
        raise ConfigError(
            f"{SETTING_PREFIX}SCOPES: {' '.join(scopes)!r} lacks r_ads_reporting, which every "
            "run needs to read analytics"
        )
    return scopes


def authorization_url(
    oauth_url: str, client_id: str, redirect_uri: str, state: str, scopes: tuple[str, ...] = SCOPES
) -> str:
    """LinkedIn's consent page: scopes space-separated and percent-encoded (`r_ads%20...`)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": " ".join(scopes),
        },
        quote_via=quote,
    )
    return f"{oauth_url.rstrip('/')}/authorization?{query}"


def loopback_address(redirect_uri: str) -> tuple[str, int, str]:
    """(host to bind, port, path) of a loopback redirect URI, or a ConfigError naming it."""
    name = f"{SETTING_PREFIX}REDIRECT_URI"
    parts = urlsplit(redirect_uri)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or not port:
        raise ConfigError(
            f"{name}: {redirect_uri!r} is not a loopback URL with a port "
            f"(such as {DEFAULT_REDIRECT_URI}); the sign-in listens on this machine"
        )
    return LOOPBACK_HOSTS[parts.hostname], port, parts.path or "/"


class _Callback(BaseHTTPRequestHandler):
    """Answers the browser's redirect; any other path is a 404 and the wait goes on."""

    server: _CallbackServer

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if target.path != self.server.path:
            self._answer(404, "Not the sign-in callback.")
            return
        params = dict(parse_qsl(target.query))
        if not ({"code", "error"} & params.keys()):
            self._answer(400, "This address waits for LinkedIn's redirect.")
            return
        self.server.params = params
        if "error" in params:
            self._answer(200, "Sign-in cancelled; nothing was saved. You can close this tab.")
        else:
            self._answer(
                200, "Signed in; the terminal says what happens next. You can close this tab."
            )

    def _answer(self, status: int, text: str) -> None:
        body = f"<!doctype html><title>LinkedIn Ads sign-in</title><p>{html.escape(text)}</p>"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line carries the authorization code."""


class _CallbackServer(HTTPServer):
    def __init__(self, address: tuple[str, int], path: str) -> None:
        super().__init__(address, _Callback)
        self.path = path
        self.params: dict[str, str] | None = None

    def wait(self, timeout: float) -> dict[str, str] | None:
        deadline = time.monotonic() + timeout
        while self.params is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.timeout = min(left, 1.0)
            self.handle_request()
        return self.params


@dataclass(frozen=True)
class SignIn:
    """The tokens of a completed sign-in and when they were issued."""

    token: Token
    issued_at: datetime


def sign_in(
    endpoint: TokenEndpoint,
    redirect_uri: str,
    announce: Callable[[str], None],
    *,
    open_browser: bool = True,
    timeout: float = 300.0,
    scopes: tuple[str, ...] = SCOPES,
) -> SignIn:
    """Run the authorization code flow once: announce the URL, wait for the callback, exchange."""
    host, port, path = loopback_address(redirect_uri)
    try:
        server = _CallbackServer((host, port), path)
    except OSError as exc:
        raise ConfigError(
            f"{SETTING_PREFIX}REDIRECT_URI: cannot listen on {host}:{port} ({exc.strerror}); "
            "free the port or register another loopback redirect URL on the app and set it"
        ) from None
    state = secrets.token_urlsafe(24)
    url = authorization_url(endpoint.oauth_url, endpoint.client_id, redirect_uri, state, scopes)
    with server:
        announce(url)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        params = server.wait(timeout)
    if params is None:
        raise SignInError(
            f"LinkedIn sign-in: no answer on {redirect_uri} within {timeout:.0f} s; nothing was "
            "saved, run `make auth` again"
        )
    if "error" in params:
        description = " ".join(str(params.get("error_description") or "no description").split())
        raise SignInError(
            f"LinkedIn sign-in {params['error']}: {description}; nothing was saved",
            error=params["error"],
        )
    if not secrets.compare_digest(params.get("state", ""), state):
        raise SignInError(
            "LinkedIn sign-in: the callback's state does not match this sign-in (a stale or "
            "forged redirect); nothing was saved, run `make auth` again",
            error="state_mismatch",
        )
    issued_at = datetime.now(UTC)
    return SignIn(endpoint.exchange(params["code"], redirect_uri), issued_at)


def save_sign_in(path: Path, result: SignIn) -> None:
    """Write the sign-in's tokens and expiry instants to the secrets file (mode 0600)."""
    token, issued = result.token, result.issued_at
    values: dict[str, Any] = {"access_token": token.access_token}
    remove: list[str] = []
    access_expiry = tokens.expires_at(issued, token.expires_in)
    if access_expiry is not None:
        values["access_token_expires_at"] = tokens.format_instant(access_expiry)
    else:
        remove.append("access_token_expires_at")
    if token.refresh_token:
        values["refresh_token"] = token.refresh_token
        refresh_expiry = tokens.expires_at(issued, token.refresh_token_expires_in)
        if refresh_expiry is not None:
            values["refresh_token_expires_at"] = tokens.format_instant(refresh_expiry)
        else:
            remove.append("refresh_token_expires_at")
    else:  # a refresh token of an earlier sign-in would not match this one's expiry
        remove += ["refresh_token", "refresh_token_expires_at"]
    tokens.update_section(path, values, remove)


def describe_expiry(label: str, instant: datetime | None, now: datetime) -> str:
    """`access token expires 2026-03-01 12:00 UTC (in 60 days)`: a date, never the token."""
    if instant is None:
        return f"{label}: LinkedIn did not say when it expires"
    days = (instant - now).total_seconds() / 86_400
    return f"{label} expires {instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC (in {days:.0f} days)"


def setting(name: str, *, secret: bool = False, default: str | None = None) -> str | None:
    """A `[sources.linkedin_ads]` setting as dlt resolves it (environment, then the .dlt files)."""
    import dlt

    provider = dlt.secrets if secret else dlt.config
    value = provider.get(f"sources.linkedin_ads.{name}")
    if value in (None, "") and not secret:
        value = dlt.secrets.get(f"sources.linkedin_ads.{name}")
    text = str(value).strip() if value not in (None, "") else ""
    return text or default


def required(name: str, *, secret: bool = False) -> str:
    value = setting(name, secret=secret)
    if not value:
        raise ConfigError(
            f"{SETTING_PREFIX}{name.upper()}: not set; copy it from the Auth tab of your LinkedIn "
            "app into [sources.linkedin_ads] of .dlt/secrets.toml (or the environment)"
        )
    return value


def auth_command(*, open_browser: bool = True, timeout: float = 300.0) -> int:
    """`python -m ingest auth`: sign in, save the tokens, print when they expire."""
    client_id = required("client_id")
    client_secret = required("client_secret", secret=True)
    oauth_url = check_url(
        "OAUTH_URL", setting("oauth_url", default=settings.DEFAULT_OAUTH_URL) or ""
    )
    redirect_uri = setting("redirect_uri", default=DEFAULT_REDIRECT_URI) or DEFAULT_REDIRECT_URI
    loopback_address(redirect_uri)
    scopes = parse_scopes(setting("scopes"))
    path = tokens.secrets_path()

    def announce(url: str) -> None:
        print(
            "Open this URL in a browser, sign in to LinkedIn as a member with access to the ad "
            f"accounts and allow access ({' '.join(scopes)}):\n\n  {url}\n\n"
            f"Waiting for LinkedIn to redirect to {redirect_uri} ...",
            flush=True,
        )

    endpoint = TokenEndpoint(oauth_url, client_id, client_secret)
    result = sign_in(
        endpoint, redirect_uri, announce, open_browser=open_browser, timeout=timeout, scopes=scopes
    )
    save_sign_in(path, result)
    now = datetime.now(UTC)
    token = result.token
    lines = [
        f"Signed in. Tokens saved to {path} (mode 0600).",
        "  "
        + describe_expiry(
            "access token", tokens.expires_at(result.issued_at, token.expires_in), now
        ),
    ]
    if token.refresh_token:
        refresh_expiry = tokens.expires_at(result.issued_at, token.refresh_token_expires_in)
        lines.append("  " + describe_expiry("refresh token", refresh_expiry, now))
        lines.append(
            "  Runs refresh the access token by themselves until the refresh token expires; "
            "then run `make auth` again."
        )
    else:
        lines.append(
            "  LinkedIn issued no refresh token (only approved Advertising API partners get "
            "one): run `make auth` again before the access token expires."
        )
    if os.environ.get(f"{SETTING_PREFIX}ACCESS_TOKEN"):
        lines.append(
            f"  Note: {SETTING_PREFIX}ACCESS_TOKEN is set in the environment and wins over the "
            "file; unset it so that runs use this sign-in."
        )
    print("\n".join(lines), flush=True)
    return 0
