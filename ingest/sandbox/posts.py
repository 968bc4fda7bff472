"""The versioned Posts API (`/rest/posts`) for the sponsored posts the sandbox's creatives show.

Routes, as LinkedIn documents them (Rest.li 2.0):

    GET /rest/posts?ids=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3AugcPost%3A2)   BATCH_GET, <= 100 ids
        {"results": {urn: post}, "statuses": {urn: status}, "errors": {urn: error}}
    GET /rest/posts/urn%3Ali%3Ashare%3A1                                      GET, one post

Inside `List(...)` the URNs must be percent-encoded (`:` as %3A): Rest.li 2.0 reads `:` as
structure there. Only post URNs (`share`, `ugcPost`, `post`) are posts: any other URN type, an
InMail's `adInMailContent` for one, is a 400 INVALID_URN_TYPE. A post the member may not read
(another organization's page) answers 403 and a deleted one 404: in a batch, per id, under
`errors` and `statuses`; alone, as the status of the request. The knob `posts_scope=False`
emulates a token without `r_organization_social`: every /rest/posts request is refused (403).

Each post is drawn from a `random.Random` seeded by its own URN, never from the generator's main
random stream, so that posts shift no other sandbox data. Text ads and InMails have no post.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from .contract import MAX_POSTS_PER_BATCH_GET, POST_URN_TYPES
from .data import Advertiser
from .errors import ApiError, access_denied, bad_request, restli_error

UNREADABLE_SHARE = 0.08  # of posts: about half 403 (not the member's page), half 404 (deleted)

_HOOKS = (
    "Teams waste {hours} hours a week on manual reporting.",
    "What would you do with a spare afternoon every week?",
    "New for {year}: {theme}, rebuilt around your data.",
    "{customers} teams already switched. Here is why.",
    "We asked 500 analysts what slows them down.",
)
_BODIES = (
    "See how {theme} turns raw numbers into decisions your whole team trusts.",
    "{theme} connects your tools in minutes, no code required.",
    "Join us to learn how leaders use {theme} to plan the next quarter.",
    "Download the guide and benchmark your team against the industry.",
)
_TAGS = ("#analytics", "#data", "#B2B", "#marketing", "#cloud", "#productivity")
_ARTICLE_TITLES = (
    "{theme}: the {year} buyer's guide",
    "How to get started with {theme}",
    "The {theme} benchmark report",
    "{theme} in 5 minutes",
)
_MEDIA_TITLES = ("{theme} in action", "Meet {theme}", "{theme}: a customer story")


def is_post_urn(urn: str) -> bool:
    """True for the URN types the Posts API serves: share, ugcPost and post."""
    parts = urn.split(":", 3)
    return (
        len(parts) == 4
        and parts[:2] == ["urn", "li"]
        and parts[2] in POST_URN_TYPES
        and parts[3] != ""
    )


Post = tuple[int, dict[str, Any]]  # (status, record): 200 and the post, or 403/404 and {}


def _post(urn: str, creative: dict[str, Any], author: str, theme: str) -> Post:
    """(status, post record) of one sponsored post, drawn from its own generator."""
    rng = random.Random(f"linkedin-sandbox-post:{urn}")
    draw = rng.random()
    if draw < UNREADABLE_SHARE:
        return (403 if draw < UNREADABLE_SHARE / 2 else 404), {}
    year = 2026
    words = {
        "theme": theme,
        "year": year,
        "hours": rng.randint(3, 12),
        "customers": f"{rng.randint(2, 40) * 100:,}",
    }
    commentary = " ".join(
        (
            rng.choice(_HOOKS).format(**words),
            rng.choice(_BODIES).format(**words),
            " ".join(rng.sample(_TAGS, rng.randint(0, 3))),
        )
    ).strip()
    created = int(creative["createdAt"]) - rng.randint(1, 72) * 3_600_000
    record: dict[str, Any] = {
        "id": urn,
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "NONE",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        "createdAt": created,
        "publishedAt": created,
        "lastModifiedAt": created + rng.randint(0, 3_600_000),
        "adContext": {
            "dscAdAccount": creative["account"],
            "dscStatus": "ACTIVE",
            "isDsc": True,
            "dscAdType": "STANDARD",
        },
    }
    slug = theme.lower().replace(" ", "-")
    shape = rng.random()
    if urn.split(":")[2] == "share":  # a link share: an article card, most with a title
        if shape < 0.8:
            article = {"source": f"https://example.com/{slug}?utm_source=linkedin"}
            if shape < 0.65:
                article["title"] = rng.choice(_ARTICLE_TITLES).format(**words)
                article["description"] = f"Everything you need to know about {theme}."
            record["content"] = {"article": article}
    elif shape < 0.85:  # a ugcPost: a video, image or document, some titled
        kind = rng.choice(("video", "image", "document"))
        media: dict[str, Any] = {"id": f"urn:li:{kind}:D4E10AQ{rng.randrange(10**9, 10**10)}"}
        if shape < 0.55:
            media["title"] = rng.choice(_MEDIA_TITLES).format(**words)
        record["content"] = {"media": media}
    return 200, record


def generate_posts(advertiser: Advertiser) -> dict[str, Post]:
    """Post URN -> (status, record) for every post a creative of the advertiser refers to."""
    authors = {account["id"]: account["reference"] for account in advertiser.accounts}
    themes = {c["id"]: c["name"].split(" - ")[0] for c in advertiser.campaigns}
    posts: dict[str, Post] = {}
    for creative in advertiser.creatives:
        urn = (creative.get("content") or {}).get("reference")
        if not urn or not is_post_urn(urn) or urn in posts:
            continue
        ref = advertiser.refs[creative["id"]]
        posts[urn] = _post(urn, creative, authors[ref.account_id], themes[ref.campaign_id])
    return posts


def _invalid_urn_type(urn: str) -> ApiError:
    return restli_error(
        400, "INVALID_URN_TYPE", f"Invalid URN type in key 'postsId': '{urn}' is not a post URN"
    )


def _entity_error(status: int, urn: str, version: str) -> dict[str, Any]:
    if status == 403:
        return {
            "status": 403,
            "serviceErrorCode": 100,
            "code": "ACCESS_DENIED",
            "message": f"Not enough permissions to access: posts.GET.{version}01",
        }
    return {"status": 404, "code": "NOT_FOUND", "message": f"Post {urn} not found"}


class PostsApi:
    """The /rest/posts routes over one advertiser's posts."""

    def __init__(self, advertiser: Advertiser) -> None:
        self.posts = generate_posts(advertiser)

    def answer(self, parts: list[str], query: Any, version: str, *, scope: bool) -> dict[str, Any]:
        """parts: the decoded path under /rest (["posts"] or ["posts", urn])."""
        if len(parts) > 2:
            raise bad_request(f"No resource found at /rest/{'/'.join(parts)}")
        method = "BATCH_GET" if len(parts) == 1 else "GET"
        if not scope:
            raise access_denied(f"posts.{method}", version)
        if len(parts) == 2:
            return self.get(parts[1], version)
        return self.batch_get(query, version)

    def get(self, urn: str, version: str) -> dict[str, Any]:
        if not is_post_urn(urn):
            raise _invalid_urn_type(urn)
        status, record = self.posts.get(urn, (404, {}))
        if status != 200:
            error = _entity_error(status, urn, version)
            raise ApiError(status, error)
        return copy.deepcopy(record)

    def batch_get(self, query: Any, version: str) -> dict[str, Any]:
        if "ids" not in query:
            raise bad_request("Parameter 'ids' is required.")
        raw = query.raw.get("ids", "")
        ids = query.get("ids")
        if not raw.startswith("List(") or not isinstance(ids, list):
            raise bad_request("Invalid value for query parameter 'ids': expected List(...)")
        if ":" in raw:  # Rest.li 2.0: a URN inside List() travels percent-encoded
            raise bad_request(
                "Invalid value for query parameter 'ids': URNs in List() must be "
                "percent-encoded (':' as %3A)"
            )
        if len(ids) > MAX_POSTS_PER_BATCH_GET:
            raise bad_request(
                f"Too many ids: {len(ids)}; at most {MAX_POSTS_PER_BATCH_GET} per request"
            )
        for urn in ids:
            if not isinstance(urn, str) or not is_post_urn(urn):
                raise _invalid_urn_type(str(urn))
        results: dict[str, Any] = {}
        statuses: dict[str, int] = {}
        errors: dict[str, Any] = {}
        for urn in dict.fromkeys(ids):
            status, record = self.posts.get(urn, (404, {}))
            statuses[urn] = status
            if status == 200:
                results[urn] = copy.deepcopy(record)
            else:
                errors[urn] = _entity_error(status, urn, version)
        return {"results": results, "statuses": statuses, "errors": errors}
