"""Error answers of the emulated API: Rest.li, legacy and OAuth envelopes."""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """An HTTP error answer: status, JSON (or raw text) body and extra headers."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type

    def payload(self) -> bytes:
        """The body as bytes."""
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def restli_error(
    status: int, code: str, message: str, service_error_code: int | None = None
) -> ApiError:
    """The machine-readable envelope: status, (serviceErrorCode), code, message."""
    body: dict[str, Any] = {"status": status}
    if service_error_code is not None:
        body["serviceErrorCode"] = service_error_code
    body["code"] = code
    body["message"] = message
    return ApiError(status, body)


def legacy_error(status: int, message: str) -> ApiError:
    """The older shape most resources (adAnalytics, creatives) still answer with."""
    return ApiError(status, {"message": message, "status": status})


def bad_request(message: str) -> ApiError:
    """A 400 in the legacy shape."""
    return legacy_error(400, message)


def oauth_error(status: int, error: str, description: str) -> ApiError:
    """OAuth endpoints answer in OAuth style, not Rest.li style."""
    return ApiError(status, {"error": error, "error_description": description})


def missing_parameter(name: str) -> ApiError:
    """400 for a required finder parameter that is absent."""
    return bad_request(f"Parameter '{name}' is required.")


def access_denied(resource: str, version: str) -> ApiError:
    """403 ACCESS_DENIED with LinkedIn's `<resource>.<METHOD>-<finder>.<version>` message."""
    return restli_error(
        403, "ACCESS_DENIED", f"Not enough permissions to access: {resource}.{version}01", 100
    )


def not_found() -> ApiError:
    """404 for an entity that does not exist."""
    return restli_error(404, "NOT_FOUND", "Could not find entity")
