"""Sandbox -> bronze -> gold: what the ad says. Gold `creative_text` and `creative_headline` equal
the sandbox's own posts and text ads, on DuckDB and on Postgres; a later run reads no post again;
a token without the posts scope completes with nulls and one warning, and the next run with the
scope fills them in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.dbt_project import build
from tests.support.sandbox import load
from tests.support.warehouse import query

pytestmark = pytest.mark.e2e

POST_TYPES = ("share", "ugcPost", "post")
GOLD = "select creative_urn, creative_text, creative_headline from gold.dim_creatives"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


def expected_texts(sandbox: Any, *, posts_readable: bool = True) -> set[tuple[Any, ...]]:
    """(creative URN, text, headline) as the sandbox's own records call for them."""
    posts = sandbox.truth.posts()
    rows = set()
    for creative in sandbox.truth.creatives:
        content = creative.get("content") or {}
        text = headline = None
        if "textAd" in content:
            text, headline = content["textAd"]["description"], content["textAd"]["headline"]
        elif content.get("reference", "").split(":")[2] in POST_TYPES and posts_readable:
            status, post = posts[content["reference"]]
            if status == 200:
                text = post["commentary"]
                body = post.get("content") or {}
                headline = (body.get("article") or body.get("media") or {}).get("title")
        rows.add((creative["id"], text, headline))
    return rows


def post_warnings(stats: Any) -> list[str]:
    return [warning for warning in stats.warnings if warning.startswith("posts:")]


def assert_gold_texts_equal_sandbox(warehouse: Warehouse, sandbox: Any) -> None:
    # given the sandbox loaded and built (with dbt's unit tests)
    first = load(warehouse, sandbox)
    build(warehouse, unit_tests=True)

    # then every creative says what its post or text ad says; unreadable posts leave nulls
    want = expected_texts(sandbox)
    assert set(query(warehouse, GOLD)) == want

    # and the sandbox exercises each case: titled and untitled posts, text ads, refused posts
    statuses = [status for status, _ in sandbox.truth.posts().values()]
    assert {403, 404} <= set(statuses)
    assert any(text and headline for _, text, headline in want)
    assert any(text and not headline for _, text, headline in want)
    unread = sum(status != 200 for status in statuses)
    assert post_warnings(first.stats) == [
        f"posts: {unread} of {len(statuses)} posts behind new or changed creatives could not be "
        f"read ({statuses.count(403)} answered 403, {statuses.count(404)} answered 404); their "
        "creatives' creative_text and creative_headline stay null"
    ]
    # one BATCH_GET per 100 posts
    assert first.stats.api.by_kind["posts"] == -(-len(statuses) // 100)

    # the report carries the dimension's columns
    differing = query(
        warehouse,
        "select count(*) from gold.creative_report_daily as r join gold.dim_creatives as d "
        "on r.creative_id = d.creative_id where r.creative_text is distinct from d.creative_text "
        "or r.creative_headline is distinct from d.creative_headline",
    )
    assert differing == [(0,)]

    # when the next run finds no new or changed creative, it asks for no post and gold stays
    second = load(warehouse, sandbox)
    build(warehouse)
    assert "posts" not in second.stats.api.by_kind
    assert post_warnings(second.stats) == []
    assert set(query(warehouse, GOLD)) == want


def test_creative_texts_equal_the_sandbox_posts_on_duckdb(
    sandbox: Any, duckdb_warehouse: Warehouse
) -> None:
    assert_gold_texts_equal_sandbox(duckdb_warehouse, sandbox)


@pytest.mark.postgres
def test_creative_texts_equal_the_sandbox_posts_on_postgres(
    sandbox: Any, postgres_warehouse: Warehouse
) -> None:
    assert_gold_texts_equal_sandbox(postgres_warehouse, sandbox)


def test_a_token_without_the_posts_scope_completes_with_nulls_and_one_warning(
    duckdb_warehouse: Warehouse,
) -> None:
    with run_sandbox(SandboxConfig(posts_scope=False)) as sandbox:
        # given a token the Posts API refuses (403 on every /rest/posts request)
        result = load(duckdb_warehouse, sandbox)
        build(duckdb_warehouse)

        # then the run completed: text ads still say theirs, posts stay null, one warning
        assert set(query(duckdb_warehouse, GOLD)) == expected_texts(sandbox, posts_readable=False)
        posts = len(sandbox.truth.posts())
        [warning] = post_warnings(result.stats)
        assert warning.startswith(f"posts: {posts} of {posts} posts behind new or changed")
        assert "403 ACCESS_DENIED" in warning
        assert "the next run asks again" in warning
        # and after the first refusal it asked no further batch
        assert result.stats.api.by_kind["posts"] == 1

        # when the scope is granted, the next run reads every post
        sandbox.configure(posts_scope=True)
        load(duckdb_warehouse, sandbox)
        build(duckdb_warehouse)
        assert set(query(duckdb_warehouse, GOLD)) == expected_texts(sandbox)
