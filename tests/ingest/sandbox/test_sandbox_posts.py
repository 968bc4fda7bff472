"""The sandbox's Posts API: Rest.li BATCH_GET (encoding, the 100-id limit, results, statuses and
errors per id), GET by URN, URN types that are not posts, and a token without the posts scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox_helpers import Api, enc

from ingest.sandbox import Sandbox
from ingest.sandbox.contract import MAX_POSTS_PER_BATCH_GET


def posts_by_status(sandbox: Sandbox) -> dict[int, list[str]]:
    by_status: dict[int, list[str]] = {}
    for urn, (status, _) in sorted(sandbox.truth.posts().items()):
        by_status.setdefault(status, []).append(urn)
    return by_status


def ids(*urns: str) -> str:
    return "ids=List(" + ",".join(enc(urn) for urn in urns) + ")"


def test_every_post_a_creative_shows_is_a_post_and_nothing_else_is(sandbox: Sandbox) -> None:
    posts = sandbox.truth.posts()
    references = {
        (creative.get("content") or {}).get("reference") for creative in sandbox.truth.creatives
    }
    assert set(posts) == {
        ref for ref in references if ref and ref.split(":")[2] in ("share", "ugcPost", "post")
    }
    # the sandbox has readable, forbidden and deleted posts
    assert set(posts_by_status(sandbox)) == {200, 403, 404}


def test_batch_get_answers_results_statuses_and_errors_keyed_by_urn(
    api: Api, sandbox: Sandbox
) -> None:
    by_status = posts_by_status(sandbox)
    asked = [by_status[200][0], by_status[200][1], by_status[403][0], by_status[404][0]]
    response = api.get("posts", ids(*asked), **{"X-RestLi-Method": "BATCH_GET"})
    assert response.status_code == 200, response.text
    body = response.json()
    truth = sandbox.truth.posts()
    assert body["results"] == {urn: truth[urn][1] for urn in asked[:2]}
    assert body["statuses"] == {
        asked[0]: 200,
        asked[1]: 200,
        asked[2]: 403,
        asked[3]: 404,
    }
    assert set(body["errors"]) == {asked[2], asked[3]}
    assert body["errors"][asked[2]]["code"] == "ACCESS_DENIED"
    assert body["errors"][asked[3]]["status"] == 404
    # a post has its text, and its title where it has one
    assert all(post["commentary"] for post in body["results"].values())


def test_batch_get_of_an_unknown_post_is_a_404_under_errors(api: Api) -> None:
    body = api.ok("posts", ids("urn:li:share:1"))
    assert body["results"] == {}
    assert body["statuses"] == {"urn:li:share:1": 404}
    assert body["errors"]["urn:li:share:1"]["status"] == 404


def test_batch_get_urns_must_be_encoded_inside_the_list(api: Api, sandbox: Sandbox) -> None:
    urn = posts_by_status(sandbox)[200][0]
    response = api.get("posts", f"ids=List({urn})")
    assert response.status_code == 400
    assert "percent-encoded" in response.json()["message"]


def test_batch_get_takes_at_most_100_ids(api: Api) -> None:
    many = [f"urn:li:share:{n}" for n in range(MAX_POSTS_PER_BATCH_GET + 1)]
    response = api.get("posts", ids(*many))
    assert response.status_code == 400
    assert "at most 100" in response.json()["message"]
    assert api.get("posts", ids(*many[:MAX_POSTS_PER_BATCH_GET])).status_code == 200


def test_batch_get_needs_ids(api: Api) -> None:
    response = api.get("posts", "")
    assert response.status_code == 400
    assert response.json()["message"] == "Parameter 'ids' is required."


def test_an_inmail_is_not_a_post(api: Api, sandbox: Sandbox) -> None:
    inmail = next(
        creative["content"]["reference"]
        for creative in sandbox.truth.creatives
        if "adInMailContent" in (creative.get("content") or {}).get("reference", "")
    )
    for response in (api.get("posts", ids(inmail)), api.get(f"posts/{enc(inmail)}")):
        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_URN_TYPE"


def test_get_one_post_by_its_encoded_urn(api: Api, sandbox: Sandbox) -> None:
    by_status = posts_by_status(sandbox)
    readable = by_status[200][0]
    assert api.ok(f"posts/{enc(readable)}") == sandbox.truth.posts()[readable][1]
    assert api.get(f"posts/{enc(by_status[403][0])}").status_code == 403
    assert api.get(f"posts/{enc(by_status[404][0])}").status_code == 404


def test_tunnelled_batch_get_equals_the_plain_one(api: Api, sandbox: Sandbox) -> None:
    query = ids(*posts_by_status(sandbox)[200][:5])
    tunnelled = api.tunnel("posts", query)
    assert tunnelled.status_code == 200
    assert tunnelled.json() == api.ok("posts", query)


def test_posts_need_the_version_header_like_every_route(api: Api, sandbox: Sandbox) -> None:
    url = f"{sandbox.base_url}/posts?{ids('urn:li:share:1')}"
    response = api.http.get(url, headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400
    assert response.json()["code"] == "VERSION_MISSING"


def test_a_token_without_the_posts_scope_is_refused_every_post(
    fresh: Callable[..., Api],
) -> None:
    api = fresh(posts_scope=False)
    urn = posts_by_status(api.sandbox)[200][0]
    for response in (api.get("posts", ids(urn)), api.get(f"posts/{enc(urn)}")):
        assert response.status_code == 403
        body: dict[str, Any] = response.json()
        assert body["code"] == "ACCESS_DENIED"
        assert body["message"].startswith("Not enough permissions to access: posts.")
