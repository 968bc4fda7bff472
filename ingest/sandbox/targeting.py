"""Campaign targeting criteria, in LinkedIn's documented `targetingCriteria` shape.

    {"include": {"and": [{"or": {facet URN: [value URN, ...], ...}}, ...]},
     "exclude": {"or": {facet URN: [value URN, ...], ...}}}

A member must match every AND-group of `include` (any value of any facet within a group) and no
value of `exclude`. Every campaign keeps its account's interface locale and location, then gets a
varied narrowing: job functions or titles (two facets in one OR-group), seniorities, industries,
company lists (matched audiences, `urn:li:adSegment:<id>`), company sizes, and often an exclude.

Drawn from a `random.Random` seeded by the campaign id alone, never from the generator's main
random stream, so that adding or changing facets here shifts no other sandbox data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

FACET = "urn:li:adTargetingFacet:"

# LinkedIn's standard job function and seniority ids; a few of its industry ids (V2 taxonomy).
_FUNCTIONS = range(1, 27)
_SENIORITIES = range(1, 11)
_INDUSTRIES = (4, 6, 43, 80, 96, 118, 1594, 1285, 3102)
_STAFF_COUNT_RANGES = ("(11,50)", "(51,200)", "(201,500)", "(501,1000)", "(1001,5000)")


def _urns(rng: random.Random, kind: str, ids: Sequence[Any], low: int, high: int) -> list[str]:
    """Between low and high distinct `urn:li:<kind>:<id>` drawn from ids, in drawn order."""
    return [f"urn:li:{kind}:{value}" for value in rng.sample(ids, rng.randint(low, high))]


def _segments(rng: random.Random, low: int, high: int) -> list[str]:
    """Company lists (matched audience segments) of the account, by their adSegment URNs."""
    return [
        f"urn:li:adSegment:{value}"
        for value in rng.sample(range(10_000_000, 99_999_999), rng.randint(low, high))
    ]


def targeting_criteria(campaign_id: int, locale: tuple[str, str], geo: int) -> dict[str, Any]:
    """The campaign's targetingCriteria: its account's locale and location, a narrowing and an
    optional exclude, drawn from a generator seeded by campaign_id only."""
    rng = random.Random(f"linkedin-sandbox-targeting:{campaign_id}")
    country, language = locale
    groups: list[dict[str, list[str]]] = [
        {f"{FACET}interfaceLocales": [f"urn:li:locale:{language}_{country}"]},
        {f"{FACET}locations": [f"urn:li:geo:{geo}"]},
    ]
    if rng.random() < 0.7:  # job functions, or titles, in one OR-group
        audience = {f"{FACET}jobFunctions": _urns(rng, "function", _FUNCTIONS, 1, 3)}
        if rng.random() < 0.5:
            audience[f"{FACET}titles"] = _urns(rng, "title", range(1, 30_000), 1, 4)
        groups.append(audience)
    if rng.random() < 0.6:
        groups.append({f"{FACET}seniorities": _urns(rng, "seniority", _SENIORITIES[3:], 2, 4)})
    if rng.random() < 0.5:
        groups.append({f"{FACET}industries": _urns(rng, "industry", _INDUSTRIES, 1, 3)})
    if rng.random() < 0.4:  # account-based marketing: company lists, or company sizes
        groups.append(
            {f"{FACET}audienceMatchingSegments": _segments(rng, 1, 2)}
            if rng.random() < 0.6
            else {
                f"{FACET}staffCountRanges": _urns(rng, "staffCountRange", _STAFF_COUNT_RANGES, 1, 3)
            }
        )
    rng.shuffle(groups)  # LinkedIn keeps no order between AND-groups; neither should gold
    criteria: dict[str, Any] = {"include": {"and": [{"or": group} for group in groups]}}
    if rng.random() < 0.6:
        exclude = {f"{FACET}seniorities": _urns(rng, "seniority", _SENIORITIES[:2], 1, 2)}
        if rng.random() < 0.5:
            exclude[f"{FACET}employers"] = _urns(
                rng, "organization", range(1_000, 99_999_999), 1, 2
            )
        criteria["exclude"] = {"or": exclude}
    return criteria
