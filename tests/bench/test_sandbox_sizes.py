"""The sandbox's size knob: named sizes are what they say, deterministic, and the default
advertiser (every other test's gold) is unchanged by it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest

from ingest.sandbox import SandboxConfig
from ingest.sandbox.config import SIZES
from ingest.sandbox.data import Size, generate

TODAY = date(2026, 3, 15)


def fingerprint(seed: int, today: date, size: Size | None = None) -> str:
    a = generate(seed, today, size)
    facts = {urn: {str(day): m for day, m in f.items()} for urn, f in a.facts.items()}
    refs = [list(vars(ref).values()) for ref in a.refs.values()]
    # Targeting came later from its own generator (seeded by campaign id): left out, so this
    # fingerprint still proves that nothing else moved.
    campaigns = [{k: v for k, v in c.items() if k != "targetingCriteria"} for c in a.campaigns]
    blob = [a.accounts, a.groups, campaigns, a.creatives, facts, refs, a.currency,
            a.conversion_value, str(a.first_day)]  # fmt: skip
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def test_default_advertiser_is_exactly_the_one_before_sizes_existed() -> None:
    assert SandboxConfig().size is None
    assert fingerprint(7, TODAY) == (
        "123f20ba4f4c19dcf38537e560b1167270a47d063f30b487f57dc9449131d5d3"
    )


def test_a_named_size_has_its_accounts_campaigns_creatives_and_days() -> None:
    config = SandboxConfig.sized("S", today=TODAY)
    assert config.size == SIZES["S"] == Size(1, 50, 500, 365)
    advertiser = generate(7, TODAY, config.size)
    serving = [a for a in advertiser.accounts if not a["test"]]
    assert len(serving) == 1
    assert len(advertiser.accounts) == 2  # and the test account
    assert len(advertiser.campaigns) == 50
    assert len(advertiser.creatives) == 500
    assert advertiser.first_day == TODAY - timedelta(days=364)
    first = min(day for facts in advertiser.facts.values() for day in facts)
    assert first < (TODAY - timedelta(days=300)).toordinal()  # schedules stretch with the window


def test_a_size_is_deterministic_by_seed() -> None:
    size = Size(accounts=4, campaigns=9, creatives=20, days=30)
    assert fingerprint(7, TODAY, size) == fingerprint(7, TODAY, size)
    assert fingerprint(7, TODAY, size) != fingerprint(8, TODAY, size)
    advertiser = generate(7, TODAY, size)
    assert len([a for a in advertiser.accounts if not a["test"]]) == 4
    assert (len(advertiser.campaigns), len(advertiser.creatives)) == (9, 20)


def test_a_partial_or_impossible_size_is_refused() -> None:
    with pytest.raises(ValueError, match="set all of accounts, campaigns, creatives, days"):
        SandboxConfig(accounts=2)
    with pytest.raises(ValueError, match="a campaign per account"):
        SandboxConfig(accounts=3, campaigns=2, creatives=5, days=10)
    with pytest.raises(ValueError, match="unknown size"):
        SandboxConfig.sized("XL")
    with pytest.raises(ValueError, match="fixed once the sandbox runs"):
        SandboxConfig().replace(days=10)


def test_the_extra_small_size_is_one_account_of_ten_campaigns_over_90_days() -> None:
    advertiser = generate(7, TODAY, SIZES["XS"])
    assert len([a for a in advertiser.accounts if not a["test"]]) == 1
    assert (len(advertiser.campaigns), len(advertiser.creatives)) == (10, 100)
    assert advertiser.first_day == TODAY - timedelta(days=89)
