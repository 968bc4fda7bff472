"""The typed errors of the LinkedIn API client and the log filter that keeps secrets out of logs.

Every error's str() is one line naming the HTTP status, LinkedIn's code and message, and the call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ingest.linkedin_ads.auth import redact

__all__ = [
    "NOT_SERVED",
    "AuthenticationError",
    "BadRequestError",
    "DailyQuotaExceededError",
    "LinkedInError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SecretsFilter",
    "ServerError",
    "TransportFailure",
    "VersionNotActiveError",
]


class LinkedInError(Exception):
    """An API call failed; str() is one line.

    `LinkedIn API <status> <code>: <message> (<METHOD> <path>)`
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        service_error_code: int | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.service_error_code = service_error_code
        self.message = message
        self.method = method
        self.path = path
        head = " ".join(str(part) for part in ("LinkedIn API", status, code) if part)
        super().__init__(f"{head}: {message} ({method} {path})")


class BadRequestError(LinkedInError):
    """400: the request is malformed (a finder parameter, a field, a page size)."""


class AuthenticationError(LinkedInError):
    """401 that a token refresh could not cure."""


class PermissionDeniedError(LinkedInError):
    """403: the token lacks a scope or the member a role on the account."""


class NotFoundError(LinkedInError):
    """404: no such entity, or no access to it."""


# Answers that mean "this token or API version does not serve that resource" (a missing scope,
# an unknown finder or pivot): an optional table stops there, the run goes on.
NOT_SERVED = (BadRequestError, PermissionDeniedError, NotFoundError)


class VersionNotActiveError(LinkedInError):
    """426: the LinkedIn-Version is sunset."""


class DailyQuotaExceededError(LinkedInError):
    """429 naming a DAY limit: retrying only burns quota until 00:00 UTC."""


class RateLimitError(LinkedInError):
    """429 that persisted through every attempt."""


class ServerError(LinkedInError):
    """5xx, or a body that is not JSON, through every attempt."""


class TransportFailure(LinkedInError):
    """Timeouts or dropped connections through every attempt."""


class SecretsFilter(logging.Filter):
    """Mask secrets in log records (message, arguments and formatted traceback)."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = {s for s in secrets if s}

    def add(self, secret: str | None) -> None:
        """Mask one more secret, e.g. a freshly refreshed access token."""
        if secret:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message, *self._secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, *self._secrets)
        return True
