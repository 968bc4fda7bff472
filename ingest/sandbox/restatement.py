"""Restatements: LinkedIn keeps revising recent conversions; the sandbox can do the same."""

from __future__ import annotations

import random

from .data import Advertiser

# Campaigns whose objective tracks website conversions or leads have conversions to restate.
CONVERSION_OBJECTIVES = frozenset({"WEBSITE_CONVERSION", "WEBSITE_VISIT", "LEAD_GENERATION"})
CONVERSION_METRICS = (
    "externalWebsiteConversions", "externalWebsitePostClickConversions",
    "externalWebsitePostViewConversions", "conversionValueInLocalCurrency",
)  # fmt: skip


def restate(adv: Advertiser, rng: random.Random, days: int, factor: float | None) -> int:
    """Change conversions and their value over the last `days` days; returns days changed.

    With factor, conversions are scaled by it; without, a number of late conversions drawn from
    rng is added. Each changed creative-day is replaced in one step, so readers never see half;
    then the advertiser's revision is bumped, so no cached window serves the old values.
    """
    tracked = {c["id"] for c in adv.campaigns if c["objectiveType"] in CONVERSION_OBJECTIVES}
    first = adv.last_ordinal - days + 1
    changed = 0
    for urn, facts in adv.facts.items():
        ref = adv.refs[urn]
        if ref.campaign_id not in tracked:
            continue
        unit = adv.conversion_value[ref.campaign_id]
        for ordinal in sorted(o for o in facts if o >= first):
            metrics = facts[ordinal]
            click = metrics.get("externalWebsitePostClickConversions", 0)
            view = metrics.get("externalWebsitePostViewConversions", 0)
            if factor is not None:
                new_click, new_view = round(click * factor), round(view * factor)
            else:
                new_click = click + (
                    rng.choice((0, 0, 1, 2)) if metrics.get("landingPageClicks") else 0
                )
                new_view = view + rng.choice((0, 0, 0, 1))
            if (new_click, new_view) == (click, view):
                continue
            updated = {k: v for k, v in metrics.items() if k not in CONVERSION_METRICS}
            if new_click + new_view:
                updated["externalWebsitePostClickConversions"] = new_click
                updated["externalWebsitePostViewConversions"] = new_view
                updated["externalWebsiteConversions"] = new_click + new_view
                updated["conversionValueInLocalCurrency"] = (new_click + new_view) * unit
            facts[ordinal] = {k: v for k, v in updated.items() if v}
            changed += 1
    if changed:
        adv.revision += 1
    return changed
