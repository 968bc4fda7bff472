"""PostsReader against a scripted Posts API (httpx.MockTransport): batches of up to 100 encoded
post URNs, refusals per post or per request tolerated with one warning, and only the posts of new
or changed creatives read on a later run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx

from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.posts import PostsReader, post_urn, posts_to_read
from ingest.linkedin_ads.stats import SyncStats

BASE_URL = "http://127.0.0.1:9/rest"


def creative(number: int, reference: str | None, modified: int = 1) -> dict[str, Any]:
    content = {"reference": reference} if reference else {"textAd": {"headline": "Try it"}}
    return {
        "id": f"urn:li:sponsoredCreative:{number}",
        "content": content,
        "lastModifiedAt": modified,
    }


def post(urn: str) -> dict[str, Any]:
    return {
        "id": urn,
        "author": "urn:li:organization:1",
        "commentary": f"text of {urn}",
        "content": {"article": {"title": f"title of {urn}", "source": "https://example.com"}},
        "lifecycleState": "PUBLISHED",
    }


class PostsApi:
    """Answers BATCH_GETs: every asked post, except those in `refuse` (per post) or every
    request when `refuse_all` (a status for the whole request)."""

    def __init__(self, refuse: dict[str, int] | None = None, refuse_all: int | None = None):
        self.refuse = refuse or {}
        self.refuse_all = refuse_all
        self.requests: list[httpx.Request] = []

    def asked(self, request: httpx.Request) -> list[str]:
        query = request.content.decode() if request.method == "POST" else request.url.query
        query = query.decode() if isinstance(query, bytes) else query
        raw = dict(pair.split("=", 1) for pair in query.split("&"))["ids"]
        assert raw.startswith("List(")
        return [unquote(item) for item in raw.removeprefix("List(").removesuffix(")").split(",")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.refuse_all:
            body = {"status": self.refuse_all, "code": "ACCESS_DENIED", "message": "no posts"}
            return httpx.Response(self.refuse_all, json=body)
        results, statuses, errors = {}, {}, {}
        for urn in self.asked(request):
            status = self.refuse.get(urn, 200)
            statuses[urn] = status
            if status == 200:
                results[urn] = post(urn)
            else:
                errors[urn] = {"status": status, "message": f"refused {urn}"}
        return httpx.Response(
            200, json={"results": results, "statuses": statuses, "errors": errors}
        )


def read(
    api: Callable[[httpx.Request], httpx.Response],
    creatives: list[dict[str, Any]],
    state: dict[str, Any],
) -> tuple[list[dict[str, Any]], SyncStats]:
    stats = SyncStats()
    client = LinkedInClient(
        base_url=BASE_URL,
        api_version="202610",
        access_token="token",
        transport=httpx.MockTransport(api),
        sleep=lambda _: None,
    )
    with client:
        rows = [row for batch in PostsReader(client, stats).rows(creatives, state) for row in batch]
    return rows, stats


def shares(count: int, modified: int = 1) -> list[dict[str, Any]]:
    return [creative(n, f"urn:li:share:{1000 + n}", modified) for n in range(count)]


def test_posts_are_read_in_batch_gets_of_at_most_100_encoded_urns() -> None:
    api = PostsApi()
    rows, stats = read(api, shares(250), {})
    assert len(rows) == 250
    assert [len(api.asked(r)) for r in api.requests] == [100, 100, 50]
    for request in api.requests:
        assert request.headers["X-RestLi-Method"] == "BATCH_GET"
        query = request.content if request.method == "POST" else request.url.query
        assert b"urn%3Ali%3Ashare%3A" in query
        assert b"urn:li" not in query  # Rest.li 2.0: URNs percent-encoded inside List()
    assert stats.warnings == []
    assert rows[0]["commentary"] == "text of urn:li:share:1000"
    assert rows[0]["content"] == {
        "article": {
            "title": "title of urn:li:share:1000",
            "description": None,
            "source": "https://example.com",
        }
    }


def test_only_post_references_are_asked_for_once_each() -> None:
    creatives = [
        creative(1, "urn:li:share:1"),
        creative(2, "urn:li:ugcPost:2"),
        creative(3, "urn:li:post:3"),
        creative(4, "urn:li:share:1"),  # a second creative showing the same post
        creative(5, "urn:li:adInMailContent:5"),  # an InMail is not a post
        creative(6, "urn:li:video:C4E05AQH"),
        creative(7, None),  # an inline text ad
    ]
    api = PostsApi()
    rows, _ = read(api, creatives, {})
    assert [api.asked(r) for r in api.requests] == [
        ["urn:li:post:3", "urn:li:share:1", "urn:li:ugcPost:2"]
    ]
    assert sorted(row["id"] for row in rows) == [
        "urn:li:post:3",
        "urn:li:share:1",
        "urn:li:ugcPost:2",
    ]
    assert post_urn(creative(8, "not a urn")) is None


def test_posts_refused_one_by_one_keep_null_content_and_give_one_warning() -> None:
    api = PostsApi(refuse={"urn:li:share:1001": 403, "urn:li:share:1002": 404,
                           "urn:li:share:1003": 403})  # fmt: skip
    state: dict[str, Any] = {}
    rows, stats = read(api, shares(5), state)
    by_id = {row["id"]: row for row in rows}
    assert by_id["urn:li:share:1001"]["read_status"] == 403
    assert by_id["urn:li:share:1001"]["commentary"] is None
    assert "content" not in by_id["urn:li:share:1001"]
    assert by_id["urn:li:share:1002"]["read_status"] == 404
    assert by_id["urn:li:share:1002"]["read_error"] == "refused urn:li:share:1002"
    assert by_id["urn:li:share:1000"]["read_status"] == 200
    assert stats.warnings == [
        "posts: 3 of 5 posts behind new or changed creatives could not be read (2 answered 403, "
        "1 answered 404); their creatives' creative_text and creative_headline stay null"
    ]
    # LinkedIn answered for every post: none is asked again while its creative is unchanged
    assert set(state["read"]) == set(by_id)


def test_a_refused_request_stops_asking_completes_and_asks_again_next_run() -> None:
    state: dict[str, Any] = {}
    refused = PostsApi(refuse_all=403)
    rows, stats = read(refused, shares(250), state)
    assert rows == []
    assert len(refused.requests) == 1  # no further batch after the refusal
    [warning] = stats.warnings
    assert warning.startswith("posts: 250 of 250 posts behind new or changed creatives")
    assert "LinkedIn API 403 ACCESS_DENIED: no posts" in warning
    assert state["read"] == {}

    # the next run, with the scope, reads them all
    api = PostsApi()
    rows, stats = read(api, shares(250), state)
    assert len(rows) == 250
    assert stats.warnings == []


def test_a_later_run_reads_only_posts_of_new_or_changed_creatives() -> None:
    # given a first run that read every post
    state: dict[str, Any] = {}
    read(PostsApi(), shares(3, modified=10), state)

    # when one creative changed and one is new
    creatives = shares(3, modified=10)
    creatives[1]["lastModifiedAt"] = 20
    creatives.append(creative(9, "urn:li:ugcPost:9", 5))
    api = PostsApi()
    rows, _ = read(api, creatives, state)

    # then only their posts are asked for
    assert [api.asked(r) for r in api.requests] == [["urn:li:share:1001", "urn:li:ugcPost:9"]]
    assert sorted(row["id"] for row in rows) == ["urn:li:share:1001", "urn:li:ugcPost:9"]

    # and a run with nothing new asks for nothing
    api = PostsApi()
    assert read(api, creatives, state)[0] == []
    assert api.requests == []


def test_posts_to_read_follows_the_newest_creative_of_a_post() -> None:
    creatives = [creative(1, "urn:li:share:1", 5), creative(2, "urn:li:share:1", 7)]
    assert posts_to_read(creatives, {}) == {"urn:li:share:1": 7}
    assert posts_to_read(creatives, {"urn:li:share:1": 7}) == {}
    assert posts_to_read(creatives, {"urn:li:share:1": 6}) == {"urn:li:share:1": 7}


def test_long_batches_are_tunnelled_and_encoded_answer_keys_are_read() -> None:
    # given 100 long ugcPost URNs (past 4,000 characters of query) and an API that keys its
    # answer by the encoded URN
    creatives = [creative(n, f"urn:li:ugcPost:{7_000_000_000_000_000_000 + n}") for n in range(100)]
    plain = PostsApi(refuse={creatives[0]["content"]["reference"]: 404})

    def encoded_keys(request: httpx.Request) -> httpx.Response:
        body = plain(request).json()
        encoded = {
            part: {key.replace(":", "%3A"): value for key, value in body[part].items()}
            for part in ("results", "statuses", "errors")
        }
        return httpx.Response(200, json=encoded)

    rows, stats = read(encoded_keys, creatives, {})

    # then one POST carries the query, and every post is read but the refused one
    [request] = plain.requests
    assert request.method == "POST"
    assert request.headers["X-HTTP-Method-Override"] == "GET"
    assert sum(row["read_status"] == 200 for row in rows) == 99
    assert all(row["commentary"] for row in rows if row["read_status"] == 200)
    assert len(stats.warnings) == 1
