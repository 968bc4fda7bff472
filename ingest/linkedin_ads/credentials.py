"""The access token of a client session: attached to each request, refreshed, watched for expiry.

Refreshes ahead of time when less than a day of the access token is left (once a run) and once on
a 401, however many threads saw it; hands a refreshed token to `on_refresh` (which saves it);
warns when the refresh token has less than 30 days left. The tokens never sit in a repr.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta

import httpx

from ingest.linkedin_ads import errors
from ingest.linkedin_ads.auth import OAuthError, Token, TokenEndpoint
from ingest.linkedin_ads.stats import RequestStats

__all__ = ["REFRESH_AHEAD", "REFRESH_TOKEN_WARNING", "Credentials", "OnRefresh"]

log = logging.getLogger("ingest.linkedin_ads")

REFRESH_AHEAD = timedelta(days=1)  # refresh the access token when less than this is left
REFRESH_TOKEN_WARNING = timedelta(days=30)  # warn when the refresh token has less than this left

# (access token replaced, refresh token used, the new token, when it was issued)
OnRefresh = Callable[[str, str | None, Token, datetime], None]


class Credentials(httpx.Auth):
    """Sets the Authorization header per request and keeps the token current."""

    def __init__(
        self,
        *,
        access_token: str,
        stats: RequestStats,
        oauth_url: str | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token_expires_at: datetime | None = None,
        refresh_token_expires_at: datetime | None = None,
        on_refresh: OnRefresh | None = None,
        warn: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.token = access_token
        self.refresh_token = refresh_token
        self.client_secret = client_secret
        self.access_token_expires_at = access_token_expires_at
        self.refresh_token_expires_at = refresh_token_expires_at
        self._stats = stats
        self._oauth_url = oauth_url
        self._client_id = client_id
        self._on_refresh = on_refresh
        self._warn = warn or log.warning
        self._clock = clock
        self._transport = transport
        self._timeout = timeout
        self._lock = threading.Lock()
        self._tried_ahead = False  # one proactive attempt per run, even when it fails

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request

    def __repr__(self) -> str:
        return "Credentials(token=***)"

    def endpoint(self) -> TokenEndpoint | None:
        """Where to refresh the access token, when the refresh token and the app's credentials
        are all configured."""
        if self._oauth_url and self.refresh_token and self._client_id and self.client_secret:
            return TokenEndpoint(
                self._oauth_url,
                self._client_id,
                self.client_secret,
                transport=self._transport,
                timeout=self._timeout,
            )
        return None

    def check_lifetimes(self) -> None:
        """Warn when the refresh token (or, with nothing to refresh it, the access token) is
        close to its end: after it, only a new sign-in (`make auth`) gets data again."""
        now = self._clock()
        refresh_ends = self.refresh_token_expires_at
        if self.endpoint() is not None and refresh_ends is not None:
            if refresh_ends - now < REFRESH_TOKEN_WARNING:
                self._warn(
                    f"the LinkedIn refresh token expires {_day(refresh_ends)} "
                    f"({_days_left(refresh_ends, now)}); run `make auth` before then"
                )
        elif self.access_token_expires_at is not None:
            access_ends = self.access_token_expires_at
            if access_ends - now < REFRESH_TOKEN_WARNING:
                self._warn(
                    f"the LinkedIn access token expires {_day(access_ends)} "
                    f"({_days_left(access_ends, now)}) and cannot be refreshed (no REFRESH_TOKEN, "
                    "CLIENT_ID and CLIENT_SECRET); run `make auth` before then"
                )

    def refresh_if_expiring(self) -> None:
        """Refresh ahead of time when less than a day of the access token is left (once a run)."""
        if not self._expiring():
            return
        with self._lock:
            if not self._expiring():
                return
            self._tried_ahead = True
            endpoint = self.endpoint()
            if endpoint is None:
                return  # check_lifetimes said so; a 401 will say what to fix
            try:
                self._mint(endpoint)
            except OAuthError as exc:
                self._warn(
                    "refreshing the LinkedIn access token ahead of its expiry "
                    f"({_day(self.access_token_expires_at or self._clock())}) failed, going on "
                    f"with the current one: {exc}"
                )

    def refresh(self, token_sent: str) -> None:
        """Refresh the access token once, however many threads saw the same 401."""
        with self._lock:
            endpoint = self.endpoint()
            if endpoint is None or self.token != token_sent:
                return  # nothing to refresh with, or another thread already refreshed it
            try:
                self._mint(endpoint)
            except OAuthError as exc:
                raise errors.AuthenticationError(
                    f"the access token was rejected and refreshing it failed: {exc}",
                    status=401,
                    code=exc.error,
                    method="POST",
                    path="accessToken",
                ) from None

    def _expiring(self) -> bool:
        ends = self.access_token_expires_at
        return not self._tried_ahead and ends is not None and ends - self._clock() < REFRESH_AHEAD

    def _mint(self, endpoint: TokenEndpoint) -> None:
        """The refresh grant (the caller holds the lock); hands the new token to on_refresh."""
        issued_at = self._clock()
        token = endpoint.refresh(self.refresh_token)
        replaced, refresh_used = self.token, self.refresh_token
        self.token = token.access_token
        self.refresh_token = token.refresh_token or self.refresh_token
        if token.expires_in:
            self.access_token_expires_at = issued_at + timedelta(seconds=token.expires_in)
        if token.refresh_token_expires_in:
            self.refresh_token_expires_at = issued_at + timedelta(
                seconds=int(token.refresh_token_expires_in)
            )
        self._stats.record_refresh()
        log.info("refreshed the LinkedIn access token (valid for %d s)", token.expires_in)
        if self._on_refresh is not None:
            try:
                self._on_refresh(replaced, refresh_used, token, issued_at)
            except OSError as exc:
                self._warn(
                    f"could not save the refreshed LinkedIn access token ({exc.strerror or exc}); "
                    "it is used for this run only"
                )


def _day(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _days_left(instant: datetime, now: datetime) -> str:
    days = (instant - now).total_seconds() / 86_400
    return "already expired" if days <= 0 else f"in {days:.0f} days"
