"""Every adAnalytics answer the sandbox gives, pinned by one hash of its parsed JSON.

The engine caches a window's buckets across the metric chunks a client asks for, and responses
are serialized by orjson: neither may change what a client reads. The mix below covers entity,
creative, member and breakdown pivots, every granularity, facets, sort, chunked metrics, the
knobs that change values (money_tails, creative_gaps, demographic_noise, forbidden accounts,
row_cap, extra_fields), a knob turned between two identical requests and a restatement between
two identical requests. The hash is of the parsed JSON re-dumped with keys in served order, so
it pins elements, their order, keys, values and strings, not whitespace.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sandbox_helpers import VERSION, enc, restli_range

from ingest.sandbox import Sandbox, SandboxConfig
from ingest.sandbox.contract import ROW_CAP

TODAY = date(2026, 6, 30)
SIZE = {"accounts": 2, "campaigns": 8, "creatives": 40, "days": 120}
CHUNKS = (
    "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,approximateMemberReach",
    "dateRange,pivotValues,externalWebsiteConversions,conversionValueInLocalCurrency,"
    "landingPageClicks,costInUsd,oneClickLeads",
    "pivotValues,videoViews,totalEngagements,likes,registrations",
)
EXPECTED = "234b7a2db1b32af4175fdaa0721b15988bc7834cf409b6f592adc1a770d52079"


def _get(sandbox: Sandbox, path: str, query: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {sandbox.access_token}", "LinkedIn-Version": VERSION}
    response = sandbox.handle("GET", f"/rest/{path}", query, headers, b"")
    return response.status, json.loads(response.body)


def _analytics(
    sandbox: Sandbox,
    pivots: str,
    fields: str,
    granularity: str = "DAILY",
    facet: str = "accounts",
    urns: list[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    extra: str = "",
) -> str:
    adv = sandbox.advertiser
    urns = urns or [f"urn:li:sponsoredAccount:{a['id']}" for a in adv.accounts]
    pivot = f"pivot=(value:{pivots})" if "," not in pivots else f"pivots=List({pivots})"
    finder = "analytics" if "," not in pivots else "statistics"
    return (
        f"q={finder}&{pivot}&timeGranularity=(value:{granularity})"
        f"&dateRange={restli_range(start or adv.first_day, end)}"
        f"&{facet}=List({','.join(enc(u) for u in urns)})&fields={fields}{extra}"
    )


def _window(sandbox: Sandbox, **kwargs: Any) -> Iterator[str]:
    """One window asked for chunk by chunk, as the client does."""
    for fields in CHUNKS:
        yield _analytics(sandbox, fields=fields, **kwargs)


def _queries(sandbox: Sandbox) -> Iterator[str]:
    adv = sandbox.advertiser
    recent = adv.today - timedelta(days=40)
    campaigns = [f"urn:li:sponsoredCampaign:{c['id']}" for c in adv.campaigns[:3]]
    for pivot in ("CREATIVE", "CAMPAIGN", "CAMPAIGN_GROUP", "ACCOUNT"):
        yield from _window(sandbox, pivots=pivot)
    for granularity in ("MONTHLY", "YEARLY", "ALL"):
        yield from _window(sandbox, pivots="CAMPAIGN", granularity=granularity)
    yield from _window(sandbox, pivots="CREATIVE", start=recent, end=adv.today)
    yield from _window(sandbox, pivots="CREATIVE", facet="campaigns", urns=campaigns)
    sponsored = "&campaignType=(value:SPONSORED_UPDATES)"
    yield _analytics(sandbox, "CREATIVE", CHUNKS[0], extra=sponsored)
    sort = "&sortBy=(field:COST_IN_LOCAL_CURRENCY,order:ASCENDING)"
    yield _analytics(sandbox, "CAMPAIGN", CHUNKS[0], "ALL", extra=sort)
    yield _analytics(sandbox, "CREATIVE", "pivotValues,clicks", "MONTHLY", extra=sort)
    for pivot in ("MEMBER_COMPANY_SIZE", "MEMBER_JOB_FUNCTION"):
        yield from _window(sandbox, pivots=pivot, granularity="MONTHLY")
    yield from _window(sandbox, pivots="MEMBER_SENIORITY", start=recent)
    yield from _window(sandbox, pivots="CREATIVE,CONVERSION")
    yield from _window(sandbox, pivots="CAMPAIGN,IMPRESSION_DEVICE_TYPE", granularity="MONTHLY")
    yield from _window(sandbox, pivots="CAMPAIGN,CREATIVE", start=recent)


def _hot(sandbox: Sandbox) -> Iterator[tuple[int, Any]]:
    """A few windows asked right before and right after a restatement (still cached if the
    engine caches): restated conversions must show at once."""
    adv = sandbox.advertiser
    recent = adv.today - timedelta(days=30)
    for pivots in ("CREATIVE", "MEMBER_COMPANY_SIZE", "MEMBER_SENIORITY", "CREATIVE,CONVERSION"):
        for query in _window(sandbox, pivots=pivots, start=recent, granularity="MONTHLY"):
            yield _get(sandbox, "adAnalytics", query)


def _answers(sandbox: Sandbox) -> Iterator[tuple[int, Any]]:
    for query in _queries(sandbox):
        yield _get(sandbox, "adAnalytics", query)
    for account in sandbox.advertiser.accounts:
        urn = enc(f"urn:li:sponsoredAccount:{account['id']}")
        query = f"q=account&account={urn}"
        yield _get(sandbox, "conversions", query)


def _fingerprint() -> str:
    sandbox = Sandbox(SandboxConfig(**SIZE, today=TODAY, daily_quota_calls=10**6))
    answers: list[Any] = [*_answers(sandbox)]
    sandbox.configure(money_tails=True, creative_gaps=2, extra_fields=True)
    answers += _answers(sandbox)
    forbidden = (sandbox.advertiser.accounts[0]["id"],)
    sandbox.configure(demographic_noise=0.3, row_cap=25, forbidden_account_ids=forbidden)
    answers += _answers(sandbox)
    sandbox.configure(money_tails=False, creative_gaps=0, demographic_noise=0.0, row_cap=ROW_CAP)
    sandbox.configure(forbidden_account_ids=(), extra_fields=False)
    answers += _answers(sandbox)
    answers += _hot(sandbox)
    assert sandbox.restate(days=20) > 0
    answers += _hot(sandbox)
    answers += _answers(sandbox)
    answers += _hot(sandbox)
    assert sandbox.restate(days=20, factor=0.5) > 0
    answers += _hot(sandbox)
    answers += _answers(sandbox)
    assert {status for status, _ in answers} == {200, 403}  # 403: a forbidden account's rules
    assert sum(len(body.get("elements", ())) for _, body in answers) > 10_000
    return hashlib.sha256(json.dumps(answers).encode()).hexdigest()


def test_adanalytics_and_conversions_answers_are_unchanged() -> None:
    assert _fingerprint() == EXPECTED
