"""OAuth 2.0: the token store (grants, introspection, expiry, revocation) and its routes.

GET /oauth/v2/authorization stands in for LinkedIn's consent page: it checks client_id,
redirect_uri, response_type and scope, then answers as the member would without a login page,
by the knob `authorization_answer`: a 302 to redirect_uri?code=..&state=.. ("approve"), or a 302
with error=user_cancelled_login|user_cancelled_authorize. Codes last 30 minutes, are single-use
and bound to the client and redirect_uri they were issued for.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from .config import SandboxConfig
from .errors import oauth_error, restli_error
from .responses import Response

ACCESS_TTL = 60 * 86_400
REFRESH_TTL = 365 * 86_400
SCOPE = "r_ads,r_ads_reporting"
INVALID_GRANT = "The provided authorization grant or refresh token is invalid, expired or revoked"
CODE_TTL = 1800
KNOWN_SCOPES = frozenset(
    {
        "r_ads",
        "rw_ads",
        "r_ads_reporting",
        "r_organization_social",
        "r_organization_admin",
        "r_marketing_leadgen_automation",
        "w_member_social",
        "openid",
        "profile",
        "email",
    }
)
REDIRECT_MISMATCH = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired."
)
CANCELLED = {
    "user_cancelled_login": "The user cancelled LinkedIn login",
    "user_cancelled_authorize": "The user cancelled the authorization",
}


@dataclass
class _Access:
    created: float
    expires: float
    calls: int = 0
    refresh_token: str | None = None


@dataclass
class _Refresh:
    created: float
    expires: float


@dataclass(frozen=True)
class _Code:
    expires: float
    client_id: str
    redirect_uri: str
    scope: str


class TokenStore:
    """Issued tokens; a token's authorised-call counter drives token_expires_after_calls."""

    def __init__(self, seed: int, now: float) -> None:
        digest = hashlib.sha256(f"linkedin-sandbox:{seed}".encode()).hexdigest()
        self.client_id = f"sandbox-client-{digest[:8]}"
        self.client_secret = f"sandbox-secret-{digest[8:24]}"
        self.access_token = f"AQV-sandbox-{digest[24:48]}"
        self.refresh_token = f"AQW-sandbox-{digest[48:64]}"
        self._lock = threading.Lock()
        self._access = {self.access_token: _Access(now, now + ACCESS_TTL, 0, self.refresh_token)}
        self._refresh = {self.refresh_token: _Refresh(now, now + REFRESH_TTL)}
        self._codes: dict[str, _Code] = {}
        self.refreshes = 0

    def reset_call_counters(self) -> None:
        with self._lock:
            for token in self._access.values():
                token.calls = 0

    def authorize(
        self, header: str | None, now: float, *, revoked: bool, max_calls: int | None
    ) -> None:
        """Check a Bearer header and count the call; raise the documented 401s."""
        if not header or not header.strip():
            raise restli_error(
                401, "EMPTY_ACCESS_TOKEN", "Empty or missing OAuth2 access token", 65600
            )
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise restli_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        with self._lock:
            info = self._access.get(token)
            if info is None:
                raise restli_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
            if revoked:
                raise restli_error(
                    401,
                    "REVOKED_ACCESS_TOKEN",
                    "The token used in the request has been revoked by the user",
                    65601,
                )
            if now >= info.expires or (max_calls is not None and info.calls >= max_calls):
                raise restli_error(
                    401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65600
                )
            info.calls += 1

    def issue_code(self, now: float, redirect_uri: str, scope: str = SCOPE) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(now + CODE_TTL, self.client_id, redirect_uri, scope)
        return code

    def _check_client(self, client_id: str | None, client_secret: str | None) -> None:
        if client_id != self.client_id or client_secret != self.client_secret:
            raise oauth_error(401, "invalid_client", "Client authentication failed")

    def exchange(self, form: dict[str, str], now: float, *, revoked: bool) -> dict[str, object]:
        """POST /oauth/v2/accessToken for both grants."""
        grant = form.get("grant_type")
        if not grant:
            raise oauth_error(
                400, "invalid_request", 'A required parameter "grant_type" is missing'
            )
        if grant == "authorization_code":
            code = form.get("code")
            if not code:
                raise oauth_error(400, "invalid_request", 'A required parameter "code" is missing')
            redirect = form.get("redirect_uri")
            if not redirect:
                raise oauth_error(
                    400, "invalid_request", 'A required parameter "redirect_uri" is missing'
                )
            self._check_client(form.get("client_id"), form.get("client_secret"))
            with self._lock:
                issued = self._codes.pop(code, None)  # single-use, whatever happens next
            if issued is None or now > issued.expires:
                raise oauth_error(400, "invalid_request", INVALID_GRANT)
            if issued.redirect_uri != redirect or issued.client_id != form.get("client_id"):
                raise oauth_error(400, "invalid_redirect_uri", REDIRECT_MISMATCH)
            refresh = f"AQW-{secrets.token_urlsafe(24)}"
            access = f"AQV-{secrets.token_urlsafe(24)}"
            with self._lock:
                self._refresh[refresh] = _Refresh(now, now + REFRESH_TTL)
                self._access[access] = _Access(now, now + ACCESS_TTL, 0, refresh)
            return {
                "access_token": access,
                "expires_in": ACCESS_TTL,
                "refresh_token": refresh,
                "refresh_token_expires_in": REFRESH_TTL,
                "scope": issued.scope,
                "token_type": "Bearer",
            }
        if grant == "refresh_token":
            refresh = form.get("refresh_token")
            if not refresh:
                raise oauth_error(
                    400, "invalid_request", 'A required parameter "refresh_token" is missing'
                )
            self._check_client(form.get("client_id"), form.get("client_secret"))
            with self._lock:
                info = self._refresh.get(refresh)
                if info is None or now >= info.expires or revoked:
                    raise oauth_error(400, "invalid_request", INVALID_GRANT)
                access = f"AQV-{secrets.token_urlsafe(24)}"
                self._access[access] = _Access(now, now + ACCESS_TTL, 0, refresh)
                self.refreshes += 1
            return {
                "access_token": access,
                "expires_in": ACCESS_TTL,
                "refresh_token": refresh,
                "refresh_token_expires_in": int(info.expires - now),
            }
        raise oauth_error(400, "unsupported_grant_type", f"Unsupported grant type '{grant}'")

    def introspect(
        self, form: dict[str, str], now: float, *, revoked: bool, max_calls: int | None
    ) -> dict[str, object]:
        """POST /oauth/v2/introspectToken."""
        self._check_client(form.get("client_id"), form.get("client_secret"))
        token = form.get("token")
        if not token:
            raise oauth_error(400, "invalid_request", 'A required parameter "token" is missing')
        with self._lock:
            info = self._access.get(token)
            if (
                info is None
                or revoked
                or now >= info.expires
                or (max_calls is not None and info.calls >= max_calls)
            ):
                return {"active": False}
            refresh = self._refresh.get(info.refresh_token or "")
        return {
            "active": True,
            "client_id": self.client_id,
            "authorized_at": int(refresh.created if refresh else info.created),
            "created_at": int(refresh.created if refresh else info.created),
            "status": "active",
            "expires_at": int(info.expires),
            "scope": SCOPE,
            "auth_type": "3L",
        }


def answer_oauth(
    tokens: TokenStore,
    method: str,
    name: str,
    query: str,
    body: bytes,
    now: float,
    config: SandboxConfig,
) -> Response:
    """The /oauth/v2/{name} routes: authorization (302 with a code), token and introspection."""
    if name == "authorization" and method == "GET":
        return _authorization(tokens, query, now, config)
    if method != "POST" or name not in ("accessToken", "introspectToken"):
        raise oauth_error(404, "not_found", f"No OAuth endpoint {method} /oauth/v2/{name}")
    form = dict(parse_qsl(body.decode("utf-8", "replace")))
    if name == "accessToken":
        return Response.json(tokens.exchange(form, now, revoked=config.token_revoked))
    return Response.json(
        tokens.introspect(
            form, now, revoked=config.token_revoked, max_calls=config.token_expires_after_calls
        )
    )


def _authorization(tokens: TokenStore, query: str, now: float, config: SandboxConfig) -> Response:
    """The consent page, answered at once. Errors about the client or the redirect URL stay on
    LinkedIn's page (400: the redirect cannot be trusted); all others go back to redirect_uri."""
    params = dict(parse_qsl(query))
    if params.get("client_id") != tokens.client_id:
        raise oauth_error(400, "invalid_client", "Unknown client_id")
    redirect = params.get("redirect_uri", "")
    target = urlsplit(redirect)
    if target.scheme not in ("http", "https") or not target.netloc or target.fragment:
        raise oauth_error(
            400, "invalid_redirect_uri", "redirect_uri is missing or not an absolute http(s) URL"
        )
    answer: dict[str, str]
    scopes = params.get("scope", "").replace(",", " ").split()
    if params.get("response_type") != "code":
        answer = {
            "error": "unsupported_response_type",
            "error_description": "response_type must be code",
        }
    elif not scopes or set(scopes) - KNOWN_SCOPES:
        unknown = sorted(set(scopes) - KNOWN_SCOPES)
        answer = {
            "error": "invalid_scope",
            "error_description": f"Scope {', '.join(unknown) or '(none)'} is not authorized",
        }
    elif config.authorization_answer in CANCELLED:
        error = config.authorization_answer
        answer = {"error": error, "error_description": CANCELLED[error]}
    else:
        answer = {"code": tokens.issue_code(now, redirect, ",".join(dict.fromkeys(scopes)))}
    if "state" in params:
        answer["state"] = params["state"]
    separator = "&" if target.query else "?"
    return Response(
        302, b"", "text/plain", {"Location": f"{redirect}{separator}{urlencode(answer)}"}
    )
