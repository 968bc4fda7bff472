"""HTTP client for the versioned LinkedIn Marketing API (`/rest`), shared by every resource.

It sends Rest.li 2.0 queries byte for byte (tunnelling long ones through POST), pages through
cursor finders, retries what is transient with tenacity, lets its `Credentials` refresh the access
token (ahead of its expiry, and once on a 401), and turns everything else into one-line typed
errors. The access token never appears in a log line, an exception or a repr.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from ingest.linkedin_ads import errors, restli
from ingest.linkedin_ads.auth import redact
from ingest.linkedin_ads.credentials import Credentials, OnRefresh
from ingest.linkedin_ads.settings import (
    ENTITY_PAGE_SIZE,
    MAX_QUERY_STRING_LENGTH,
    RESTLI_PROTOCOL_VERSION,
)
from ingest.linkedin_ads.stats import RequestStats

__all__ = ["LinkedInClient"]

log = logging.getLogger("ingest.linkedin_ads")

MAX_RETRY_AFTER = 600.0  # a Retry-After longer than this is capped (LinkedIn documents none)
_DAY_LIMIT = re.compile(r"\bDAY\b")
_DATA_LIMIT = "45 million metric values"


class _Retry(Exception):
    """Internal: a transient failure; `error` is raised if attempts run out."""

    def __init__(
        self,
        reason: str,
        error: errors.LinkedInError,
        retry_after: float | None = None,
        min_wait: float = 0,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.retry_after = retry_after
        self.min_wait = min_wait


class LinkedInClient:
    """One session against `base_url`, safe to share between threads."""

    def __init__(
        self,
        *,
        base_url: str,
        api_version: str,
        access_token: str,
        oauth_url: str | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token_expires_at: datetime | None = None,
        refresh_token_expires_at: datetime | None = None,
        on_refresh: OnRefresh | None = None,
        warn: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_backoff: float = 30.0,
        data_limit_wait: float = 300.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.oauth_url = oauth_url
        self.max_attempts = max_attempts
        self.data_limit_wait = data_limit_wait
        self.stats = RequestStats()
        self._credentials = Credentials(
            access_token=access_token,
            stats=self.stats,
            oauth_url=oauth_url,
            refresh_token=refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            access_token_expires_at=access_token_expires_at,
            refresh_token_expires_at=refresh_token_expires_at,
            on_refresh=on_refresh,
            warn=warn,
            clock=clock,
            transport=transport,
            timeout=timeout,
        )
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(initial=1, max=max_backoff, jitter=1)
        self._http = httpx.Client(
            auth=self._credentials,
            headers={
                "LinkedIn-Version": api_version,
                "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
                "Accept": "application/json",
            },
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"LinkedInClient(base_url={self.base_url!r}, api_version={self.api_version!r})"

    def __enter__(self) -> LinkedInClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: restli.Params = ()) -> dict[str, Any]:
        """GET `path` (relative to base_url) with Rest.li-encoded params; returns the JSON body."""
        return self._get(path, params, raw=False)

    def get_body(self, path: str, params: restli.Params = ()) -> bytes:
        """`get`, answering the body's bytes (a JSON object, by its first byte) for callers that
        parse it themselves: adAnalytics, into Arrow."""
        return self._get(path, params, raw=True)

    def _get(self, path: str, params: restli.Params, *, raw: bool) -> Any:
        query = restli.encode_query(params)
        self._credentials.refresh_if_expiring()
        token_sent = self._credentials.token
        try:
            return self._send(path, query, raw)
        except errors.AuthenticationError:
            if self._credentials.endpoint() is None:
                raise
        self._credentials.refresh(token_sent)
        return self._send(path, query, raw)

    def paginate(
        self, path: str, params: restli.Params = (), page_size: int = ENTITY_PAGE_SIZE
    ) -> Iterator[list[dict[str, Any]]]:
        """Cursor paging: yields each page; stops only when `metadata.nextPageToken` is absent."""
        base = [*_pairs(params), ("pageSize", page_size)]
        token: str | None = None
        while True:
            page = self.get(path, [*base, ("pageToken", token)])
            if elements := page.get("elements") or []:
                yield elements
            next_token = (page.get("metadata") or {}).get("nextPageToken")
            if not next_token:
                return
            if next_token == token:
                raise errors.LinkedInError(
                    "the API returned the same nextPageToken twice", method="GET", path=path
                )
            token = next_token

    @property
    def access_token_expires_at(self) -> datetime | None:
        return self._credentials.access_token_expires_at

    @property
    def refresh_token_expires_at(self) -> datetime | None:
        return self._credentials.refresh_token_expires_at

    def check_token_lifetimes(self) -> None:
        """Warn when the tokens are close to their end (see Credentials.check_lifetimes)."""
        self._credentials.check_lifetimes()

    def _send(self, path: str, query: str, raw: bool) -> Any:
        """One logical request: retried with tenacity, raising the typed error when it gives up."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Retry),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, path, query, raw)
        except _Retry as exc:
            raise exc.error from None

    def _attempt(self, path: str, query: str, raw: bool) -> Any:
        path = path.strip("/")
        url = f"{self.base_url}/{path}"
        kind = _path_kind(path)
        # Finder calls (q=...) and batch gets (ids=...) say so, as LinkedIn's own client does;
        # the creatives finder and the Posts batch get are documented with it.
        restli_method = (
            "FINDER" if _FINDER.search(query) else "BATCH_GET" if _BATCH_GET.search(query) else None
        )
        headers = {"X-RestLi-Method": restli_method} if restli_method else {}
        if len(query) > MAX_QUERY_STRING_LENGTH:  # tunnel: the query travels as a form body
            method = "POST"
            headers |= {
                "X-HTTP-Method-Override": "GET",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            request = self._http.build_request(
                method, httpx.URL(url), content=query.encode(), headers=headers
            )
        else:  # httpx.URL(query=bytes) keeps the bytes as they are: no re-encoding
            method = "GET"
            target = httpx.URL(url, query=query.encode()) if query else httpx.URL(url)
            request = self._http.build_request(method, target, headers=headers)
        started = time.perf_counter()
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            self.stats.record_request(kind, None)
            reason = type(exc).__name__
            log.debug("%s %s %s %.0fms", method, path, reason, _ms_since(started))
            error = errors.TransportFailure(
                f"network error after {self.max_attempts} attempts: {reason}",
                method=method,
                path=path,
            )
            raise _Retry(reason, error) from None
        self.stats.record_request(kind, response.status_code)
        log.debug("%s %s %s %.0fms", method, path, response.status_code, _ms_since(started))
        return self._handle(response, method, path, raw)

    def _handle(self, response: httpx.Response, method: str, path: str, raw: bool) -> Any:
        """The body of a 2xx answer (parsed, or as bytes when `raw`); else the typed error."""
        status = response.status_code
        if raw and 200 <= status < 300 and response.content.lstrip()[:1] == b"{":
            return response.content
        try:
            # orjson: several times faster than httpx's json on adAnalytics' large bodies
            body = orjson.loads(response.content)
        except ValueError:  # orjson.JSONDecodeError is a ValueError
            body = None
        if 200 <= status < 300:
            if isinstance(body, dict):
                return body
            error = errors.ServerError(
                "the response body is not a JSON object", status=status, method=method, path=path
            )
            raise _Retry(f"non-JSON body (HTTP {status})", error)
        fields = self._error_fields(body, response.text)
        where = {"status": status, "method": method, "path": path}
        message = fields.pop("message")
        if status == 401:
            raise errors.AuthenticationError(
                f"{message}; check SOURCES__LINKEDIN_ADS__ACCESS_TOKEN (or set REFRESH_TOKEN, "
                "CLIENT_ID and CLIENT_SECRET so it can be refreshed)",
                **fields,
                **where,
            )
        if status == 426:
            raise errors.VersionNotActiveError(
                f"{message}; LinkedIn-Version {self.api_version} is no longer active, raise "
                "SOURCES__LINKEDIN_ADS__API_VERSION to a current YYYYMM",
                **fields,
                **where,
            )
        if status == 429:
            if _DAY_LIMIT.search(message):
                raise errors.DailyQuotaExceededError(
                    f"{message}; the daily quota resets at 00:00 UTC, run again after that",
                    **fields,
                    **where,
                )
            error = errors.RateLimitError(message, **fields, **where)
            if _DATA_LIMIT in message:
                raise _Retry(
                    "data limit (45M metric values / 5 min)", error, min_wait=self.data_limit_wait
                )
            raise _Retry("HTTP 429", error, retry_after=_retry_after(response))
        if status >= 500:
            error = errors.ServerError(message, **fields, **where)
            raise _Retry(f"HTTP {status}", error, retry_after=_retry_after(response))
        error_type = {
            400: errors.BadRequestError,
            403: errors.PermissionDeniedError,
            404: errors.NotFoundError,
        }
        raise error_type.get(status, errors.LinkedInError)(message, **fields, **where)

    def _error_fields(self, body: object, text: str) -> dict[str, Any]:
        if isinstance(body, dict):
            message = str(body.get("message") or body.get("error_description") or "no message")
            code = body.get("code")
            service_code = body.get("serviceErrorCode")
        else:
            message = "non-JSON error body: " + (text[:200] or "(empty)")
            code = service_code = None
        message = redact(" ".join(message.split()), *self._secrets())
        return {
            "message": message,
            "code": str(code) if code is not None else None,
            "service_error_code": int(service_code) if service_code is not None else None,
        }

    def _secrets(self) -> tuple[str | None, ...]:
        credentials = self._credentials
        return (credentials.token, credentials.refresh_token, credentials.client_secret)

    def _wait(self, state: RetryCallState) -> float:
        """Capped exponential backoff with jitter, unless Retry-After or the data limit say more."""
        exc = state.outcome.exception() if state.outcome else None
        wait = self._backoff(state)
        if isinstance(exc, _Retry):
            if exc.retry_after is not None:
                wait = exc.retry_after
            wait = max(wait, exc.min_wait)
        return wait

    def _log_retry(self, state: RetryCallState) -> None:
        self.stats.record_retry()
        exc = state.outcome.exception() if state.outcome else None
        error = exc.error if isinstance(exc, _Retry) else None
        log.warning(
            "retrying %s %s after %s (attempt %d of %d, waiting %.1f s)",
            error.method if error else "GET",
            error.path if error else "?",
            exc.reason if isinstance(exc, _Retry) else exc,
            state.attempt_number,
            self.max_attempts,
            state.next_action.sleep if state.next_action else 0.0,
        )


_FINDER = re.compile(r"(?:^|&)q=")
_BATCH_GET = re.compile(r"(?:^|&)ids=")


def _pairs(params: restli.Params) -> list[tuple[str, Any]]:
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _path_kind(path: str) -> str:
    """The resource a path addresses, for stats: `adAccounts/1/adCampaigns` -> `adCampaigns`."""
    kinds = [s for s in path.split("/") if s and not s[0].isdigit() and not s.startswith("urn")]
    return kinds[-1] if kinds else path


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped; None if absent."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
