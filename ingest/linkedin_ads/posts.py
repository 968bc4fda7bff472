"""The sponsored posts behind creatives, read from the versioned Posts API in batches.

A creative whose `content.reference` is a post URN (`share`, `ugcPost`, `post`) shows that post;
its text (`commentary`) and its article or media title are what the ad says. Other references
(an InMail's `adInMailContent`, a video, a dynamic ad) are not posts and are never asked for.

    GET /rest/posts?ids=List(urn%3Ali%3Ashare%3A1,...)   Rest.li BATCH_GET, up to 100 ids
    -> {"results": {urn: post}, "statuses": {urn: status}, "errors": {urn: error}}

Posts rarely change, so a run asks only for the posts of creatives that are new or changed since
the last run: the resource state keeps, per post URN, the newest `lastModifiedAt` of its
creatives when the post was last answered. A post LinkedIn refuses by itself (403, 404 under
`errors`) is answered too: its row keeps the status and null content. A whole request refused
(400, 403 or 404: a token without `r_organization_social`, an API without the Posts API) stops
the asking for this run; those posts are not marked read, so the next run asks again. Either
way the run goes on, with one warning that counts the posts left unread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any
from urllib.parse import unquote

from ingest.linkedin_ads import errors, restli
from ingest.linkedin_ads.client import LinkedInClient
from ingest.linkedin_ads.settings import POST_URN_TYPES, POSTS_BATCH_SIZE
from ingest.linkedin_ads.stats import SyncStats

__all__ = ["PostsReader", "post_row", "post_urn", "posts_to_read"]

Record = dict[str, Any]


def post_urn(creative: Record) -> str | None:
    """The post a creative shows: its content reference when that is a post URN, else None."""
    reference = (creative.get("content") or {}).get("reference")
    if not isinstance(reference, str):
        return None
    try:
        kind, _ = restli.parse_urn(reference)
    except ValueError:
        return None
    return reference if kind in POST_URN_TYPES else None


def posts_to_read(creatives: Iterable[Record], read: MutableMapping[str, int]) -> dict[str, int]:
    """Post URN -> the newest lastModifiedAt of its creatives, for each post whose creatives
    are new or changed since it was last answered (`read`: the same map from earlier runs)."""
    newest: dict[str, int] = {}
    for creative in creatives:
        if urn := post_urn(creative):
            modified = int(creative.get("lastModifiedAt") or 0)
            newest[urn] = max(newest.get(urn, modified), modified)
    return {
        urn: modified
        for urn, modified in sorted(newest.items())
        if urn not in read or read[urn] < modified
    }


def post_row(urn: str, post: Record | None, status: int, error: str | None = None) -> Record:
    """The bronze row of one post: what gold reads from it (text, titles) and a few cheap
    fields, nested as the API nests them (dlt flattens `content.article.title` into
    `content__article__title`); `read_status` and `read_error` say how LinkedIn answered."""
    post = post or {}
    content = post.get("content") or {}
    article = content.get("article") or {}
    media = content.get("media") or {}
    row: Record = {
        "id": urn,
        "author": post.get("author"),
        "commentary": post.get("commentary"),
        "lifecycle_state": post.get("lifecycleState"),
        "published_at": post.get("publishedAt"),
        "last_modified_at": post.get("lastModifiedAt"),
        "read_status": status,
        "read_error": error,
    }
    if article:
        row["content"] = {
            "article": {key: article.get(key) for key in ("title", "description", "source")}
        }
    elif media:
        row["content"] = {"media": {key: media.get(key) for key in ("title", "id")}}
    return row


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        parts = [str(error.get(key)) for key in ("code", "message") if error.get(key)]
        return ": ".join(parts) or "no message"
    return str(error)


class PostsReader:
    """Reads the posts of new or changed creatives and counts what it could not read."""

    def __init__(self, client: LinkedInClient, stats: SyncStats) -> None:
        self._client = client
        self._stats = stats

    def rows(self, creatives: Iterable[Record], state: MutableMapping[str, Any]) -> Iterator[Any]:
        """Rows of the posts to read, one list per batch; marks answered posts in `state`."""
        read: MutableMapping[str, int] = state.setdefault("read", {})
        wanted = posts_to_read(creatives, read)
        urns = list(wanted)
        unread: dict[int, int] = {}  # status -> posts LinkedIn refused one by one
        refused: tuple[int, str] | None = None  # (posts not asked, why) after a refused request
        for start in range(0, len(urns), POSTS_BATCH_SIZE):
            if self._stats.stopped_by:
                return
            batch = urns[start : start + POSTS_BATCH_SIZE]
            try:
                body = self._client.get("posts", [("ids", batch)])
            except errors.NOT_SERVED as error:
                refused = (len(urns) - start, str(error))
                break
            except errors.DailyQuotaExceededError as error:
                self._stats.stop(error)
                return
            rows = []
            for urn, status, post, error in _answers(body, batch):
                if status != 200:
                    unread[status] = unread.get(status, 0) + 1
                rows.append(post_row(urn, post, status, error))
                read[urn] = wanted[urn]
            yield rows
        self._warn(len(urns), unread, refused)

    def _warn(self, total: int, unread: dict[int, int], refused: tuple[int, str] | None) -> None:
        missing = sum(unread.values()) + (refused[0] if refused else 0)
        if not missing:
            return
        reasons = []
        if unread:
            by_status = ", ".join(f"{n} answered {status}" for status, n in sorted(unread.items()))
            reasons.append(by_status)
        if refused:
            reasons.append(
                f"{refused[0]} not read because the API refused the request ({refused[1]}); "
                "the next run asks again"
            )
        self._stats.warn(
            f"posts: {missing} of {total} posts behind new or changed creatives could not be "
            f"read ({'; '.join(reasons)}); their creatives' creative_text and creative_headline "
            "stay null"
        )


Answer = tuple[str, int, Record | None, str | None]  # urn, status, post, error


def _answers(body: Record, batch: list[str]) -> Iterator[Answer]:
    """(urn, status, post, error) per asked URN of a BATCH_GET body. Keys may come encoded or
    not; an id the answer leaves out of `results` and `errors` counts as not found."""
    results = {unquote(key): value for key, value in (body.get("results") or {}).items()}
    failures = {unquote(key): value for key, value in (body.get("errors") or {}).items()}
    statuses = {unquote(key): value for key, value in (body.get("statuses") or {}).items()}
    for urn in batch:
        if urn in results and urn not in failures:
            yield urn, 200, results[urn], None
            continue
        error = failures.get(urn)
        status = error.get("status") if isinstance(error, dict) else None
        status = int(status or statuses.get(urn) or 404)
        yield urn, status, None, _error_text(error) if error is not None else "not in the answer"
