"""Conversion rules, and the CONVERSION and IMPRESSION_DEVICE_TYPE splits of a creative's day.

Conversion rules (the `conversions` finder) are drawn per ad account from a `random.Random`
seeded by the account id alone, like targeting.py, so that they shift no other sandbox data.

Under the CONVERSION pivot a creative-day's post-click and post-view conversions are dealt out
one by one to the account's enabled rules, from a generator seeded by the creative and the day,
so a restated day is split again consistently. As in real accounts the split does not add up to
the creative's total: about one conversion in ten is counted by no rule LinkedIn splits (a
deleted rule, an offline import), and about one in twelve is counted by a second rule too
(rules overlap: "all visitors of /thank-you" and "demo requested"). A rule's value is its
conversions times the campaign's value of one conversion, as the creative's total is.

Under IMPRESSION_DEVICE_TYPE every metric of a creative-day is split exactly (the parts add up)
over devices by weights drawn per campaign; some campaigns have a share on the empty-string
device, as real data has. LinkedIn does not serve reach or conversion metrics for this pivot:
they are left out of its rows.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from .data import Advertiser, CreativeRef, epoch_ms, format_decimal

CONVERSION_PIVOT = "CONVERSION"
DEVICE_PIVOT = "IMPRESSION_DEVICE_TYPE"
BREAKDOWN_PIVOTS = frozenset({CONVERSION_PIVOT, DEVICE_PIVOT})

# The metrics the CONVERSION pivot serves (every other requested metric is left out of its rows).
CONVERSION_METRICS = (
    "externalWebsiteConversions", "externalWebsitePostClickConversions",
    "externalWebsitePostViewConversions", "conversionValueInLocalCurrency",
)  # fmt: skip
# Not served with IMPRESSION_DEVICE_TYPE: "Reach metrics and conversion metrics will not be
# available when this pivot is used." (Lead gen form leads count as conversions here.)
DEVICE_UNSERVED_METRICS = frozenset({
    *CONVERSION_METRICS, "viralExternalWebsiteConversions",
    "viralExternalWebsitePostClickConversions", "viralExternalWebsitePostViewConversions",
    "approximateMemberReach", "oneClickLeads", "oneClickLeadFormOpens", "viralOneClickLeads",
    "viralOneClickLeadFormOpens",
})  # fmt: skip
DEVICES = ("DESKTOP_WEB", "MOBILE_WEB", "MOBILE_APP", "UNDETECTED", "")

UNSPLIT_SHARE = 0.10  # conversions no rule counts
OVERLAP_SHARE = 0.08  # conversions a second rule counts too
RULE_URN = "urn:lla:llaPartnerConversion:"

_RULE_TYPES = (
    ("LEAD", "Demo request"), ("SIGN_UP", "Trial sign-up"), ("DOWNLOAD", "Whitepaper download"),
    ("PURCHASE", "Purchase"), ("KEY_PAGE_VIEW", "Pricing page view"), ("OTHER", "Contact form"),
)  # fmt: skip


def conversion_rules(adv: Advertiser, account_id: int) -> list[dict[str, Any]]:
    """The account's conversion rules as the `conversions` finder returns them, sorted by id."""
    return copy.deepcopy(list(_rules(adv.first_day, account_id, adv.currency[account_id])))


@cache
def _rules(first_day: date, account_id: int, currency: str) -> tuple[dict[str, Any], ...]:
    rng = random.Random(f"linkedin-sandbox-conversions:{account_id}")
    count = rng.randint(2, 4)
    rules = []
    for index, (rule_type, label) in enumerate(rng.sample(_RULE_TYPES, count)):
        created = first_day - timedelta(days=rng.randint(30, 400))
        modified = created + timedelta(days=rng.randint(0, 20))
        rules.append(
            {
                "id": rng.randrange(10_000_000, 99_999_999),
                "name": label,
                "type": rule_type,
                "account": f"urn:li:sponsoredAccount:{account_id}",
                # every account has an enabled rule; the last one may be switched off
                "enabled": index < count - 1 or rng.random() < 0.5,
                "attributionType": rng.choice(
                    ("LAST_TOUCH_BY_CAMPAIGN", "LAST_TOUCH_BY_CONVERSION")
                ),
                "postClickAttributionWindowSize": rng.choice((1, 7, 30, 90)),
                "viewThroughAttributionWindowSize": rng.choice((1, 7, 30)),
                "value": {
                    "currencyCode": currency,
                    "amount": format_decimal(rng.choice((0, 25, 50, 120)) * 10**12),
                },
                "conversionMethod": "INSIGHT_TAG",
                "created": epoch_ms(created, rng.randrange(0, 86_400)),
                "lastModified": epoch_ms(modified, rng.randrange(0, 86_400)),
            }
        )
    return tuple(sorted(rules, key=lambda rule: rule["id"]))


def rule_urns(adv: Advertiser, account_id: int) -> tuple[str, ...]:
    """The pivot values of the account's enabled rules (asked for every creative-day under the
    CONVERSION pivot: cached, and read from the rules without the copy the finder hands out)."""
    return _rule_urns(adv.first_day, account_id, adv.currency[account_id])


@cache
def _rule_urns(first_day: date, account_id: int, currency: str) -> tuple[str, ...]:
    rules = _rules(first_day, account_id, currency)
    return tuple(f"{RULE_URN}{rule['id']}" for rule in rules if rule["enabled"])


def split_conversions(
    rules: Sequence[str], creative: str, ordinal: int, click: int, view: int
) -> dict[str, tuple[int, int]]:
    """A creative-day's (post-click, post-view) conversions per rule URN (no zero entries)."""
    if not rules or not click + view:
        return {}
    rng = random.Random(f"linkedin-sandbox-conversion-split:{creative}:{ordinal}")
    counts: dict[str, list[int]] = {}
    for position, conversions in ((0, click), (1, view)):
        for _ in range(conversions):
            draw = rng.random()
            if draw < UNSPLIT_SHARE:
                continue
            chosen = [rng.choice(rules)]
            if draw >= 1 - OVERLAP_SHARE and len(rules) > 1:
                chosen.append(rng.choice([rule for rule in rules if rule != chosen[0]]))
            for rule in chosen:
                counts.setdefault(rule, [0, 0])[position] += 1
    return {rule: (pair[0], pair[1]) for rule, pair in sorted(counts.items())}


def device_weights(campaign_id: int) -> tuple[int, ...]:
    """Integer weights of DEVICES for one campaign's delivery."""
    return _device_weights(campaign_id)


@cache
def _device_weights(campaign_id: int) -> tuple[int, ...]:
    rng = random.Random(f"linkedin-sandbox-devices:{campaign_id}")
    empty = rng.randint(1, 3) if rng.random() < 0.3 else 0
    return (rng.randint(40, 60), rng.randint(10, 25), rng.randint(20, 40), rng.randint(0, 3), empty)


def parts(
    adv: Advertiser,
    pivots: Sequence[str],
    ref: CreativeRef,
    ordinal: int,
    metrics: Mapping[str, int],
) -> Iterator[tuple[dict[str, str], Mapping[str, int]]]:
    """A creative-day's metrics split by the breakdown pivots among `pivots`: (the breakdown
    pivot values, the part's metrics). Without a breakdown pivot, the day itself."""
    if CONVERSION_PIVOT in pivots:
        unit = adv.conversion_value[ref.campaign_id]
        split = split_conversions(
            rule_urns(adv, ref.account_id),
            ref.urn,
            ordinal,
            metrics.get("externalWebsitePostClickConversions", 0),
            metrics.get("externalWebsitePostViewConversions", 0),
        )
        for rule, (click, view) in split.items():
            yield (
                {CONVERSION_PIVOT: rule},
                {
                    "externalWebsiteConversions": click + view,
                    "externalWebsitePostClickConversions": click,
                    "externalWebsitePostViewConversions": view,
                    "conversionValueInLocalCurrency": (click + view) * unit,
                },
            )
        return
    if DEVICE_PIVOT in pivots:
        weights = device_weights(ref.campaign_id)
        total, heaviest = sum(weights), weights.index(max(weights))
        # each metric split exactly: by weight rounded down, the rest to the first heaviest device
        shares: dict[str, list[int]] = {}
        for name, value in metrics.items():
            if name not in DEVICE_UNSERVED_METRICS:
                share = shares[name] = [value * weight // total for weight in weights]
                share[heaviest] += value - sum(share)
        for index, device in enumerate(DEVICES):
            yield {DEVICE_PIVOT: device}, {name: split[index] for name, split in shares.items()}
        return
    yield {}, metrics


def served(pivots: Sequence[str], metric: str) -> bool:
    """Whether a metric is served under these pivots (see the module docstring)."""
    if CONVERSION_PIVOT in pivots:
        return metric in CONVERSION_METRICS
    if DEVICE_PIVOT in pivots:
        return metric not in DEVICE_UNSERVED_METRICS
    return True
