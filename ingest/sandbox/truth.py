"""Ground truth of the sandbox in Python types, and its JSON summary for /_sandbox/truth."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from .contract import ADDITIVE_METRICS, DECIMAL_METRICS
from .data import SCALE, Advertiser, wire_value

Number = int | Decimal
Totals = dict[str, Number]
Daily = dict[date, Totals]
Key = int | str  # an entity id, as an int, a numeric string or a URN


def _id(value: Key) -> int:
    """An entity id from an int, a numeric string or a URN."""
    return int(str(value).rsplit(":", 1)[-1])


def to_python(name: str, units: int) -> Number:
    """A stored value as the API means it: Decimal for BigDecimal metrics, int for counts."""
    return Decimal(units) / SCALE if name in DECIMAL_METRICS else units


class _Records:
    """A deep copy of one of the advertiser's entity lists, so tests cannot change the data."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, truth: Truth, owner: type | None = None) -> list[dict[str, Any]]:
        return copy.deepcopy(getattr(truth.advertiser, self.attribute))


class Truth:
    """What the sandbox serves, read live (restatements included).

    Entities are the full wire records (before schema-drift knobs). Daily values cover every
    additive metric (zeros included) for days with any delivery; ids may be ints or URNs.
    """

    accounts = _Records("accounts")
    campaign_groups = _Records("groups")
    campaigns = _Records("campaigns")
    creatives = _Records("creatives")

    def __init__(self, advertiser: Advertiser) -> None:
        self.advertiser = advertiser

    @property
    def first_day(self) -> date:
        return self.advertiser.first_day

    @property
    def last_day(self) -> date:
        return self.advertiser.today

    def currency(self, account: Key) -> str:
        return self.advertiser.currency[_id(account)]

    def creatives_of(self, *, campaign: Key | None = None, account: Key | None = None) -> list[str]:
        """Creative URNs of a campaign or an account (every creative without either)."""
        refs = self.advertiser.refs.values()
        if campaign is not None:
            return [r.urn for r in refs if r.campaign_id == _id(campaign)]
        if account is not None:
            return [r.urn for r in refs if r.account_id == _id(account)]
        return [r.urn for r in refs]

    def campaigns_of(self, account: Key) -> list[int]:
        urn = f"urn:li:sponsoredAccount:{_id(account)}"
        return [c["id"] for c in self.advertiser.campaigns if c["account"] == urn]

    def _sums(self, creatives: Iterable[str]) -> dict[int, dict[str, int]]:
        """Per day ordinal, the stored values of the creatives added up."""
        sums: dict[int, dict[str, int]] = {}
        for urn in creatives:
            for ordinal, metrics in self.advertiser.facts.get(urn, {}).items():
                bucket = sums.setdefault(ordinal, {})
                for name, value in metrics.items():
                    bucket[name] = bucket.get(name, 0) + value
        return sums

    def _daily(self, creatives: Iterable[str]) -> Daily:
        sums = self._sums(creatives)
        return {
            date.fromordinal(o): {m: to_python(m, sums[o].get(m, 0)) for m in ADDITIVE_METRICS}
            for o in sorted(sums)
        }

    def creative_daily(self, creative: str) -> Daily:
        """Per day, every metric of one creative (URN or numeric id)."""
        return self._daily([f"urn:li:sponsoredCreative:{_id(creative)}"])

    def campaign_daily(self, campaign: Key) -> Daily:
        """Per day, every metric of a campaign: the sum of its creatives."""
        return self._daily(self.creatives_of(campaign=campaign))

    def account_daily(self, account: Key) -> Daily:
        """Per day, every metric of an account: the sum of its campaigns."""
        return self._daily(self.creatives_of(account=account))

    def creative_totals(
        self, creative: str, start: date | None = None, end: date | None = None
    ) -> Totals:
        """Every metric of a creative summed over the days from start to end (inclusive)."""
        return _total(self.creative_daily(creative), start, end)

    def campaign_totals(
        self, campaign: Key, start: date | None = None, end: date | None = None
    ) -> Totals:
        """Every metric of a campaign summed over the days from start to end (inclusive)."""
        return _total(self.campaign_daily(campaign), start, end)

    def account_totals(
        self, account: Key, start: date | None = None, end: date | None = None
    ) -> Totals:
        """Every metric of an account summed over the days from start to end (inclusive)."""
        return _total(self.account_daily(account), start, end)

    def to_json(self) -> dict[str, Any]:
        """Totals over the data window of every additive metric; decimals as strings."""

        def totals(creatives: Iterable[str]) -> dict[str, Any]:
            sums = dict.fromkeys(ADDITIVE_METRICS, 0)
            for metrics in self._sums(creatives).values():
                for name, value in metrics.items():
                    sums[name] += value
            return {name: wire_value(name, value) for name, value in sums.items()}

        adv = self.advertiser
        return {
            "seed": adv.seed,
            "first_day": adv.first_day.isoformat(),
            "last_day": adv.today.isoformat(),
            "metrics": list(ADDITIVE_METRICS),
            "accounts": {
                str(a["id"]): {
                    "currency": a["currency"],
                    **totals(self.creatives_of(account=a["id"])),
                }
                for a in adv.accounts
            },
            "campaigns": {
                str(c["id"]): totals(self.creatives_of(campaign=c["id"])) for c in adv.campaigns
            },
            "creatives": {urn: totals([urn]) for urn in adv.refs},
        }


def _total(daily: Daily, start: date | None, end: date | None) -> Totals:
    total: Totals = {m: to_python(m, 0) for m in ADDITIVE_METRICS}
    for day, metrics in daily.items():
        if (start and day < start) or (end and day > end):
            continue
        for name, value in metrics.items():
            total[name] += value
    return total
