"""LinkedIn's OAuth 2.0 token endpoint: the authorization-code and refresh-token grants.

Token responses carry secrets: `Token` hides them from its repr, and error messages name the
setting to fix and the API's `error_description`, never a token, code or client secret. The
interactive sign-in that obtains the first tokens lives in `signin`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from ingest.linkedin_ads.config import SETTING_PREFIX


@dataclass(frozen=True)
class Token:
    """What the token endpoint returns; `scope` stays comma-separated as LinkedIn sends it."""

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_in: int | None = None
    scope: str | None = None


def redact(text: str, *secrets: str | None) -> str:
    """Mask every occurrence of each secret (empty or very short ones are ignored)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class OAuthError(Exception):
    """The token endpoint refused a grant; the message names the setting to fix."""

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None):
        super().__init__(message)
        self.status = status
        self.error = error


@dataclass(frozen=True)
class TokenEndpoint:
    """LinkedIn's token endpoint (`{oauth_url}/accessToken`) for one app's client credentials."""

    oauth_url: str
    client_id: str
    client_secret: str = field(repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    timeout: float = 30.0

    def refresh(self, refresh_token: str) -> Token:
        """Mint a new access token from a refresh token (its own TTL does not reset)."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._grant(form, f"{SETTING_PREFIX}REFRESH_TOKEN")

    def exchange(self, code: str, redirect_uri: str) -> Token:
        """Exchange an authorization code (single-use, about 30 minutes) for the first tokens."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return self._grant(
            form,
            f"{SETTING_PREFIX}REDIRECT_URI (it must equal a redirect URL registered on the app) "
            "and run `make auth` again",
        )

    def _grant(self, grant: dict[str, str], setting: str) -> Token:
        form = {**grant, "client_id": self.client_id, "client_secret": self.client_secret}
        url = f"{self.oauth_url.rstrip('/')}/accessToken"
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout) as http:
                response = http.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.TransportError as exc:
            raise OAuthError(
                f"LinkedIn OAuth: could not reach {url} ({type(exc).__name__}); check the OAuth "
                "URL and the network"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise OAuthError(
                f"LinkedIn OAuth {response.status_code}: the token endpoint did not answer JSON",
                status=response.status_code,
            )
        if response.status_code != 200 or "access_token" not in body:
            error = str(body.get("error") or "unknown_error")
            if error == "invalid_client":
                setting = (
                    "SOURCES__LINKEDIN_ADS__CLIENT_ID and SOURCES__LINKEDIN_ADS__CLIENT_SECRET"
                )
            description = " ".join(str(body.get("error_description") or "no description").split())
            secrets = (form.get(key) for key in ("code", "refresh_token", "client_secret"))
            description = redact(description, *secrets)
            raise OAuthError(
                f"LinkedIn OAuth {response.status_code} {error}: {description}; check {setting}",
                status=response.status_code,
                error=error,
            )
        return Token(
            access_token=body["access_token"],
            expires_in=int(body.get("expires_in") or 0),
            refresh_token=body.get("refresh_token"),
            refresh_token_expires_in=body.get("refresh_token_expires_in"),
            scope=body.get("scope"),
        )
