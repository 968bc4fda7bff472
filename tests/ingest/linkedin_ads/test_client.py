"""LinkedInClient against a scripted loopback API (httpx.MockTransport): wire format, paging,
retries, token refresh, typed errors and secret hygiene. No test really sleeps."""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.errors import (
    AuthenticationError,
    BadRequestError,
    DailyQuotaExceededError,
    LinkedInError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SecretsFilter,
    ServerError,
    TransportFailure,
    VersionNotActiveError,
)
from ingest.linkedin_ads.restli import Raw, encode_query, urn

BASE_URL = "http://127.0.0.1:9/rest"
OAUTH_URL = "http://127.0.0.1:9/oauth/v2"
# Fake secrets: each contains "SECRET" so a leak is easy to assert on.
TOKEN = "AQV-old-access-token-SECRET"
NEW_TOKEN = "AQV-new-access-token-SECRET"
REFRESH_TOKEN = "AQW-refresh-token-SECRET"
CLIENT_SECRET = "client-secret-SECRET"

Reply = httpx.Response | Exception


class ScriptedApi:
    """Answers /rest calls from a script (one reply per call) and the token endpoint."""

    def __init__(self, *replies: Reply, refresh_status: int = 200) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.refreshes: list[httpx.Request] = []
        self.refresh_status = refresh_status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/accessToken"):
            self.refreshes.append(request)
            body = {
                "access_token": NEW_TOKEN,
                "expires_in": 5184000,
                "refresh_token": REFRESH_TOKEN,
            }
            if self.refresh_status != 200:
                body = {"error": "invalid_request", "error_description": "token revoked"}
            return httpx.Response(self.refresh_status, json=body)
        self.requests.append(request)
        assert self.replies, f"unexpected request {request.url}"
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def ok(body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"elements": []})


def error(status: int, message: str, **fields: Any) -> httpx.Response:
    return httpx.Response(status, json={"status": status, "message": message, **fields})


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], *, refreshable: bool = False, **kwargs: Any
) -> tuple[LinkedInClient, list[float]]:
    sleeps: list[float] = []
    if refreshable:
        kwargs |= {
            "oauth_url": OAUTH_URL,
            "refresh_token": REFRESH_TOKEN,
            "client_id": "cid",
            "client_secret": CLIENT_SECRET,
        }
    client = LinkedInClient(
        base_url=BASE_URL,
        api_version="202610",
        access_token=TOKEN,
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        **kwargs,
    )
    return client, sleeps


ANALYTICS_PARAMS = [
    ("q", "analytics"),
    ("pivot", {"value": "CAMPAIGN"}),
    ("timeGranularity", {"value": "DAILY"}),
    ("accounts", [urn("sponsoredAccount", 507)]),
    ("dateRange", {"start": {"year": 2025, "month": 1, "day": 29}}),
    ("fields", Raw("dateRange,pivotValues,impressions")),
]


# --- wire format ---------------------------------------------------------------------------------


def test_every_request_carries_version_protocol_and_bearer_headers() -> None:
    api = ScriptedApi(ok())
    client, _ = make_client(api)
    client.get("adAnalytics", ANALYTICS_PARAMS)
    headers = api.requests[0].headers
    assert headers["LinkedIn-Version"] == "202610"
    assert headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_finder_calls_say_so_and_plain_gets_do_not() -> None:
    api = ScriptedApi(ok(), ok(), ok())
    client, _ = make_client(api)
    client.get("adAccounts/507/creatives", [("q", "criteria")])
    client.get("adAccounts/507", {})
    client.get(
        "adAnalytics", [("q", "analytics"), ("campaigns", [urn("sponsoredCampaign", 1)] * 200)]
    )
    assert api.requests[0].headers["X-RestLi-Method"] == "FINDER"
    assert "X-RestLi-Method" not in api.requests[1].headers
    assert api.requests[2].method == "POST"
    assert api.requests[2].headers["X-RestLi-Method"] == "FINDER"


def test_query_reaches_the_wire_exactly_as_encoded() -> None:
    api = ScriptedApi(ok())
    client, _ = make_client(api)
    client.get("adAnalytics", ANALYTICS_PARAMS)
    url = api.requests[0].url
    expected = (
        "q=analytics&pivot=(value:CAMPAIGN)&timeGranularity=(value:DAILY)"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A507)"
        "&dateRange=(start:(year:2025,month:1,day:29))&fields=dateRange,pivotValues,impressions"
    )
    assert url.query == expected.encode()
    assert url.raw_path == b"/rest/adAnalytics?" + expected.encode()
    assert api.requests[0].method == "GET"


def test_request_without_params_has_no_dangling_question_mark() -> None:
    api = ScriptedApi(ok())
    client, _ = make_client(api)
    client.get("adAccounts/507", {})
    assert api.requests[0].url.raw_path == b"/rest/adAccounts/507"


def test_query_longer_than_4000_chars_is_tunnelled_through_post() -> None:
    api = ScriptedApi(ok())
    client, _ = make_client(api)
    params = [("q", "analytics"), ("campaigns", [urn("sponsoredCampaign", n) for n in range(200)])]
    encoded = encode_query(params)
    assert len(encoded) > 4000
    client.get("adAnalytics", params)
    request = api.requests[0]
    assert request.method == "POST"
    assert request.url.raw_path == b"/rest/adAnalytics"
    assert request.headers["X-HTTP-Method-Override"] == "GET"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == encoded.encode()


def test_query_of_exactly_4000_chars_stays_a_get() -> None:
    api = ScriptedApi(ok())
    client, _ = make_client(api)
    client.get("adAnalytics", [("x", "a" * 3998)])
    assert api.requests[0].method == "GET"
    assert len(api.requests[0].url.query) == 4000


# --- paging --------------------------------------------------------------------------------------


def _page(ids: list[int], next_token: str | None) -> httpx.Response:
    metadata = {"nextPageToken": next_token} if next_token is not None else {}
    return ok({"elements": [{"id": i} for i in ids], "metadata": metadata})


def test_short_page_is_not_treated_as_last_page() -> None:
    # given a first page shorter than pageSize that still has a nextPageToken (LinkedIn does
    # return short pages before the last one)
    api = ScriptedApi(_page([1, 2], "t1"), _page([3, 4, 5], "t2"), _page([6], None))
    client, _ = make_client(api)
    # when paging
    pages = list(client.paginate("adAccounts/1/creatives", [("q", "criteria")], page_size=3))
    # then every page is read, with a constant pageSize and the returned tokens
    assert [[e["id"] for e in page] for page in pages] == [[1, 2], [3, 4, 5], [6]]
    queries = [r.url.query.decode() for r in api.requests]
    assert queries == [
        "q=criteria&pageSize=3",
        "q=criteria&pageSize=3&pageToken=t1",
        "q=criteria&pageSize=3&pageToken=t2",
    ]


def test_empty_next_page_token_ends_cursor_paging() -> None:
    api = ScriptedApi(_page([1, 2, 3], "t1"), _page([4, 5, 6], ""))
    client, _ = make_client(api)
    pages = list(client.paginate("adAccounts", {"q": "search"}, page_size=3))
    assert sum(len(p) for p in pages) == 6
    assert len(api.requests) == 2


def test_repeated_next_page_token_fails_instead_of_looping() -> None:
    api = ScriptedApi(_page([1], "same"), _page([2], "same"))
    client, _ = make_client(api)
    with pytest.raises(LinkedInError, match="same nextPageToken"):
        list(client.paginate("adAccounts", {"q": "search"}))


# --- retries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        error(500, "Internal Server Error", code="INTERNAL_SERVER_ERROR"),
        httpx.Response(500, text="<html><body>500 Internal Server Error</body></html>"),
        error(503, "Service Unavailable", code="SERVICE_UNAVAILABLE"),
        httpx.Response(504, text=""),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ConnectError("connection reset"),
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, text='["not", "an", "object"]'),
    ],
    ids=[
        "500-json",
        "500-html",
        "503",
        "504-empty",
        "read-timeout",
        "connect-timeout",
        "dropped-connection",
        "connect-error",
        "200-html",
        "200-non-object",
    ],
)
def test_transient_failure_is_retried_with_backoff(failure: Reply) -> None:
    api = ScriptedApi(failure, ok({"elements": [{"id": 1}]}))
    client, sleeps = make_client(api, max_backoff=30.0)
    assert client.get("adAccounts/1", {}) == {"elements": [{"id": 1}]}
    assert len(api.requests) == 2
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 2.0  # first backoff: 1 s plus up to 1 s of jitter
    assert client.stats.retries == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.Response(200, text="<html>sign in</html>"), httpx.Response(200, text='["a", "list"]')],
    ids=["200-html", "200-non-object"],
)
def test_a_body_fetched_as_bytes_is_retried_too_unless_it_is_a_json_object(failure: Reply) -> None:
    api = ScriptedApi(failure, ok({"elements": [{"id": 1}]}))
    client, _ = make_client(api)
    assert json.loads(client.get_body("adAnalytics", ANALYTICS_PARAMS)) == {"elements": [{"id": 1}]}
    assert len(api.requests) == 2


def test_backoff_grows_exponentially_and_is_capped() -> None:
    api = ScriptedApi(*[error(503, "unavailable")] * 6)
    client, sleeps = make_client(api, max_attempts=6, max_backoff=5.0)
    with pytest.raises(ServerError):
        client.get("adAccounts", {})
    assert len(sleeps) == 5
    assert 1.0 <= sleeps[0] <= 2.0
    assert 2.0 <= sleeps[1] <= 3.0
    assert 4.0 <= sleeps[2] <= 5.0
    assert sleeps[3:] == [5.0, 5.0]


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        (error(500, "boom", code="INTERNAL_SERVER_ERROR"), ServerError),
        (httpx.Response(502, text="<html>bad gateway</html>"), ServerError),
        (httpx.Response(200, text="not json"), ServerError),
        (httpx.ReadTimeout("timed out"), TransportFailure),
        (httpx.RemoteProtocolError("peer closed connection"), TransportFailure),
        (
            error(429, "Resource level throttle limit for calls to this resource is reached."),
            RateLimitError,
        ),
    ],
)
def test_attempts_are_bounded_then_a_typed_error_is_raised(
    failure: Reply, error_type: type[LinkedInError]
) -> None:
    api = ScriptedApi(*[failure] * 3)
    client, sleeps = make_client(api, max_attempts=3)
    with pytest.raises(error_type) as caught:
        client.get("adAccounts/1/adCampaigns", {"q": "search"})
    assert len(api.requests) == 3
    assert len(sleeps) == 2
    assert str(caught.value).startswith("LinkedIn API")
    assert "(GET adAccounts/1/adCampaigns)" in str(caught.value)


def test_429_with_retry_after_seconds_waits_that_long() -> None:
    throttled = httpx.Response(
        429, headers={"Retry-After": "7"}, json={"status": 429, "message": "throttled"}
    )
    api = ScriptedApi(throttled, ok())
    client, sleeps = make_client(api)
    client.get("adAnalytics", {})
    assert sleeps == [7.0]


def test_429_with_retry_after_http_date_waits_until_then() -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    throttled = httpx.Response(429, headers={"Retry-After": when}, json={"message": "throttled"})
    api = ScriptedApi(throttled, ok())
    client, sleeps = make_client(api)
    client.get("adAnalytics", {})
    assert len(sleeps) == 1
    assert 17.0 <= sleeps[0] <= 20.0


def test_429_without_retry_after_backs_off() -> None:
    api = ScriptedApi(error(429, "Resource throttle MINUTE limit reached."), ok())
    client, sleeps = make_client(api)
    client.get("adAnalytics", {})
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 2.0


@pytest.mark.parametrize(
    "message",
    [
        "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is "
        "reached.",
        "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
    ],
)
def test_429_naming_a_day_limit_is_not_retried(message: str) -> None:
    api = ScriptedApi(error(429, message, serviceErrorCode=101, code="TOO_MANY_REQUESTS"))
    client, sleeps = make_client(api)
    with pytest.raises(DailyQuotaExceededError) as caught:
        client.get("adAnalytics", {})
    assert len(api.requests) == 1
    assert sleeps == []
    assert "00:00 UTC" in str(caught.value)
    assert "DAY limit" in str(caught.value)
    assert caught.value.status == 429
    assert caught.value.service_error_code == 101


def test_data_limit_429_waits_at_least_data_limit_wait_then_retries() -> None:
    message = (
        "The data request limit has been exceeded. More than 45 million metric values were "
        "requested in a 5-minute window."
    )
    api = ScriptedApi(error(429, message), ok({"elements": [{"x": 1}]}))
    client, sleeps = make_client(api, data_limit_wait=123.0)
    assert client.get("adAnalytics", {}) == {"elements": [{"x": 1}]}
    assert len(sleeps) == 1
    assert sleeps[0] >= 123.0


# --- authentication ------------------------------------------------------------------------------


INVALID_TOKEN = error(
    401, "Invalid access token", serviceErrorCode=65600, code="INVALID_ACCESS_TOKEN"
)


def test_401_refreshes_the_token_once_and_retries_with_the_new_one() -> None:
    api = ScriptedApi(INVALID_TOKEN, ok({"elements": [{"id": 1}]}))
    client, _ = make_client(api, refreshable=True)
    assert client.get("adAccounts", {}) == {"elements": [{"id": 1}]}
    assert [r.headers["Authorization"] for r in api.requests] == [
        f"Bearer {TOKEN}",
        f"Bearer {NEW_TOKEN}",
    ]
    assert len(api.refreshes) == 1
    assert client.stats.refreshes == 1


def test_second_401_after_a_refresh_fails() -> None:
    api = ScriptedApi(INVALID_TOKEN, INVALID_TOKEN)
    client, _ = make_client(api, refreshable=True)
    with pytest.raises(AuthenticationError, match="SOURCES__LINKEDIN_ADS__ACCESS_TOKEN"):
        client.get("adAccounts", {})
    assert len(api.requests) == 2
    assert len(api.refreshes) == 1


def test_401_without_refresh_settings_fails_naming_the_access_token_setting() -> None:
    api = ScriptedApi(INVALID_TOKEN)
    client, _ = make_client(api)
    with pytest.raises(AuthenticationError) as caught:
        client.get("adAccounts", {})
    assert "SOURCES__LINKEDIN_ADS__ACCESS_TOKEN" in str(caught.value)
    assert "Invalid access token" in str(caught.value)
    assert caught.value.code == "INVALID_ACCESS_TOKEN"
    assert api.refreshes == []


def test_failed_refresh_is_an_authentication_error_naming_the_refresh_setting() -> None:
    api = ScriptedApi(INVALID_TOKEN, refresh_status=400)
    client, _ = make_client(api, refreshable=True)
    with pytest.raises(AuthenticationError, match="SOURCES__LINKEDIN_ADS__REFRESH_TOKEN"):
        client.get("adAccounts", {})
    assert len(api.requests) == 1


def test_concurrent_401s_refresh_the_token_only_once() -> None:
    # given 4 threads whose first request all fail with the old token at the same time
    barrier = threading.Barrier(4, timeout=5)
    refresh_calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/accessToken"):
            refresh_calls.append(1)
            return httpx.Response(200, json={"access_token": NEW_TOKEN, "expires_in": 60})
        if request.headers["Authorization"] == f"Bearer {TOKEN}":
            barrier.wait()
            return INVALID_TOKEN
        return ok({"elements": [{"id": 1}]})

    client, _ = make_client(handler, refreshable=True)
    # when they all call the API
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: client.get("adAccounts", {}), range(4)))
    # then one refresh served them all
    assert results == [{"elements": [{"id": 1}]}] * 4
    assert len(refresh_calls) == 1
    assert client.stats.refreshes == 1


# --- typed errors --------------------------------------------------------------------------------


def test_426_says_to_raise_the_api_version_setting() -> None:
    body = {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20240901 is not active",
    }
    api = ScriptedApi(httpx.Response(426, json=body))
    client, sleeps = make_client(api)
    with pytest.raises(VersionNotActiveError) as caught:
        client.get("adAccounts", {})
    assert "SOURCES__LINKEDIN_ADS__API_VERSION" in str(caught.value)
    assert caught.value.code == "NONEXISTENT_VERSION"
    assert sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (400, {"message": "Parameter 'account' is required.", "status": 400}, BadRequestError),
        (
            403,
            {
                "serviceErrorCode": 100,
                "code": "ACCESS_DENIED",
                "message": "Not enough permissions to access: adAccounts.FINDER-search.20260101",
                "status": 403,
            },
            PermissionDeniedError,
        ),
        (
            404,
            {"status": 404, "code": "NOT_FOUND", "message": "Could not find entity"},
            NotFoundError,
        ),
    ],
)
def test_client_errors_raise_typed_errors_carrying_the_api_fields(
    status: int, body: dict[str, Any], error_type: type[LinkedInError]
) -> None:
    api = ScriptedApi(httpx.Response(status, json=body))
    client, sleeps = make_client(api)
    with pytest.raises(error_type) as caught:
        client.get("adAccounts/1/creatives", {"q": "criteria"})
    err = caught.value
    assert (err.status, err.code, err.service_error_code, err.message) == (
        status,
        body.get("code"),
        body.get("serviceErrorCode"),
        body["message"],
    )
    code = f" {body['code']}" if "code" in body else ""
    assert (
        str(err) == f"LinkedIn API {status}{code}: {body['message']} (GET adAccounts/1/creatives)"
    )
    assert len(api.requests) == 1
    assert sleeps == []


def test_non_json_error_body_still_gives_a_one_line_error() -> None:
    api = ScriptedApi(httpx.Response(404, text="<html>\n<body>Not Found</body>\n</html>"))
    client, _ = make_client(api)
    with pytest.raises(NotFoundError) as caught:
        client.get("adAccounts/9", {})
    assert "\n" not in str(caught.value)
    assert "non-JSON error body" in str(caught.value)


# --- secrets, logging, stats ---------------------------------------------------------------------


def test_access_token_never_appears_in_errors_logs_or_reprs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ingest.linkedin_ads")
    scenarios: list[tuple[Reply, ...]] = [
        (error(400, f"echoed {TOKEN}"),),
        (INVALID_TOKEN,),
        (error(403, "denied", code="ACCESS_DENIED"),),
        (error(404, "missing"),),
        (error(426, "Requested version 20240901 is not active"),),
        (error(429, "APPLICATION DAY limit reached"),),
        (error(503, "unavailable"), error(503, "unavailable")),
        (httpx.ReadTimeout(f"timed out {TOKEN}"), httpx.ReadTimeout("timed out")),
        (httpx.Response(200, text="oops"), httpx.Response(200, text="oops")),
    ]
    errors: list[LinkedInError] = []
    client = None
    for replies in scenarios:
        client, _ = make_client(ScriptedApi(*replies), max_attempts=2)
        with pytest.raises(LinkedInError) as caught:
            client.get("adAccounts", {"q": "search"})
        errors.append(caught.value)
    for err in errors:
        rendered = [str(err), repr(err), repr(err.args), "".join(traceback.format_exception(err))]
        assert not any(TOKEN in text for text in rendered), rendered
    assert caplog.records, "the client logged nothing"
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(vars(client))


def test_one_debug_line_per_request_and_one_warning_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ingest.linkedin_ads")
    api = ScriptedApi(error(503, "unavailable"), ok())
    client, sleeps = make_client(api)
    client.get("adAccounts/1/adCampaigns", {"q": "search"})
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(debug) == 2
    assert debug[1].startswith("GET adAccounts/1/adCampaigns 200 ")
    assert debug[0].startswith("GET adAccounts/1/adCampaigns 503 ")
    assert debug[0].endswith("ms")
    assert len(warnings) == 1
    assert "HTTP 503" in warnings[0]
    assert "attempt 1 of 5" in warnings[0]
    assert f"waiting {sleeps[0]:.1f} s" in warnings[0]


def test_secrets_filter_masks_messages_arguments_and_tracebacks() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("test.secrets_filter")
    handler = Collect()
    handler.addFilter(SecretsFilter([TOKEN, None]))
    logger.addHandler(handler)
    try:
        logger.warning("token %s in args", TOKEN)
        try:
            raise RuntimeError(f"boom {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == "token *** in args"
    assert TOKEN not in (records[1].exc_text or "")
    assert "boom ***" in (records[1].exc_text or "")


def test_stats_count_requests_by_kind_and_status_across_threads() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok() if "creatives" in request.url.path else error(404, "missing")

    client, _ = make_client(handler)

    def call(n: int) -> None:
        if n % 2:
            client.get(f"adAccounts/{n}/creatives/{urn('sponsoredCreative', n)}", {})
        else:
            with pytest.raises(NotFoundError):
                client.get("adAnalytics", {})

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(call, range(200)))
    assert client.stats.requests == 200
    assert client.stats.by_kind == {"creatives": 100, "adAnalytics": 100}
    assert client.stats.by_status == {200: 100, 404: 100}


def test_client_is_a_context_manager_that_closes_its_session() -> None:
    api = ScriptedApi(ok())
    with make_client(api)[0] as client:
        client.get("adAccounts", {})
    with pytest.raises(RuntimeError):
        client.get("adAccounts", {})
    assert len(api.requests) == 1
