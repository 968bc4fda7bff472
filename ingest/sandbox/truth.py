"""Ground truth of the sandbox in Python types, and its JSON summary for /_sandbox/truth."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from . import analytics_knobs, breakdowns
from .config import SandboxConfig
from .contract import ADDITIVE_METRICS, DECIMAL_METRICS
from .data import SCALE, Advertiser
from .posts import generate_posts

Number = int | Decimal
Totals = dict[str, Number]
Daily = dict[date, Totals]
Key = int | str  # an entity id, as an int, a numeric string or a URN


def _id(value: Key) -> int:
    """An entity id from an int, a numeric string or a URN."""
    return int(str(value).rsplit(":", 1)[-1])


def to_python(name: str, units: int, scale: int = SCALE) -> Number:
    """A served value as the API means it: Decimal for BigDecimal metrics, int for counts."""
    return Decimal(units) / scale if name in DECIMAL_METRICS else units


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
    Values follow the knobs of `config` (analytics_knobs): with money_tails, decimals carry their
    tails; with creative_gaps, a left-out creative has no creative-level values while its
    campaign's and account's values still count it.
    """

    accounts = _Records("accounts")
    campaign_groups = _Records("groups")
    campaigns = _Records("campaigns")
    creatives = _Records("creatives")

    def __init__(
        self, advertiser: Advertiser, config: Callable[[], SandboxConfig] | None = None
    ) -> None:
        self.advertiser = advertiser
        self._config = config or SandboxConfig

    @property
    def _tails(self) -> bool:
        return self._config().money_tails

    def posts(self) -> dict[str, tuple[int, dict[str, Any]]]:
        """Post URN -> (status, record) of every post a creative refers to: 200 with the post the
        Posts API serves, or 403/404 with an empty record for a post it refuses."""
        return generate_posts(self.advertiser)

    def gapped_creatives(self) -> list[str]:
        """URNs of the creatives creative-level reports leave out (knob creative_gaps)."""
        count = self._config().creative_gaps
        return sorted(analytics_knobs.gapped_creatives(self.advertiser, count))

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
        """Per day ordinal, the served values of the creatives added up (units of _scale)."""
        sums: dict[int, dict[str, int]] = {}
        tails = self._tails
        for urn in creatives:
            for ordinal, stored in self.advertiser.facts.get(urn, {}).items():
                metrics = analytics_knobs.served_metrics(urn, ordinal, stored, tails)
                bucket = sums.setdefault(ordinal, {})
                for name, value in metrics.items():
                    bucket[name] = bucket.get(name, 0) + value
        return sums

    def _daily(self, creatives: Iterable[str]) -> Daily:
        sums = self._sums(creatives)
        scale = analytics_knobs.decimal_scale(self._tails)
        return {
            date.fromordinal(o): {
                m: to_python(m, sums[o].get(m, 0), scale) for m in ADDITIVE_METRICS
            }
            for o in sorted(sums)
        }

    def _reported(self, creatives: Iterable[str]) -> list[str]:
        """The creatives that creative-level reports include."""
        gapped = set(self.gapped_creatives())
        return [urn for urn in creatives if urn not in gapped]

    def creative_daily(self, creative: str) -> Daily:
        """Per day, every metric of one creative (URN or numeric id) as creative-level reports
        serve it: nothing for a creative they leave out."""
        return self._daily(self._reported([f"urn:li:sponsoredCreative:{_id(creative)}"]))

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

    def conversion_rules(self, account: Key) -> list[dict[str, Any]]:
        """The account's conversion rules as the conversions finder serves them."""
        return breakdowns.conversion_rules(self.advertiser, _id(account))

    def conversions_by_rule(self, creative: str) -> dict[tuple[str, date], Totals]:
        """Per (rule URN, day), the conversion metrics of one creative as the CONVERSION pivot
        serves them (nothing for a creative creative-level reports leave out)."""
        out: dict[tuple[str, date], Totals] = {}
        adv = self.advertiser
        for urn in self._reported([f"urn:li:sponsoredCreative:{_id(creative)}"]):
            ref = adv.refs[urn]
            for ordinal, metrics in sorted(adv.facts.get(urn, {}).items()):
                for values, part in breakdowns.parts(adv, ["CONVERSION"], ref, ordinal, metrics):
                    out[values["CONVERSION"], date.fromordinal(ordinal)] = {
                        name: to_python(name, value) for name, value in part.items()
                    }
        return out

    def device_daily(self, campaign: Key) -> dict[tuple[str, date], Totals]:
        """Per (device, day), the metrics of a campaign the IMPRESSION_DEVICE_TYPE pivot serves,
        for the devices with any of them non-zero."""
        sums: dict[tuple[str, int], dict[str, int]] = {}
        adv = self.advertiser
        for urn in self.creatives_of(campaign=campaign):
            ref = adv.refs[urn]
            for ordinal, metrics in adv.facts.get(urn, {}).items():
                pivots = ["IMPRESSION_DEVICE_TYPE"]
                for values, part in breakdowns.parts(adv, pivots, ref, ordinal, metrics):
                    bucket = sums.setdefault((values["IMPRESSION_DEVICE_TYPE"], ordinal), {})
                    for name, value in part.items():
                        bucket[name] = bucket.get(name, 0) + value
        served = [m for m in ADDITIVE_METRICS if m not in breakdowns.DEVICE_UNSERVED_METRICS]
        return {
            (device, date.fromordinal(ordinal)): {m: to_python(m, bucket.get(m, 0)) for m in served}
            for (device, ordinal), bucket in sorted(sums.items())
            if any(bucket.values())
        }

    def to_json(self) -> dict[str, Any]:
        """Totals over the data window of every additive metric; decimals as strings."""

        def totals(creatives: Iterable[str]) -> dict[str, Any]:
            sums = dict.fromkeys(ADDITIVE_METRICS, 0)
            for metrics in self._sums(creatives).values():
                for name, value in metrics.items():
                    sums[name] += value
            return {
                name: analytics_knobs.wire_value(name, value, tails) for name, value in sums.items()
            }

        tails = self._tails

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
            "creatives": {urn: totals(self._reported([urn])) for urn in adv.refs},
            "creatives_left_out": self.gapped_creatives(),
        }


def _total(daily: Daily, start: date | None, end: date | None) -> Totals:
    total: Totals = {m: to_python(m, 0) for m in ADDITIVE_METRICS}  # Decimal 0 for decimals
    for day, metrics in daily.items():
        if (start and day < start) or (end and day > end):
            continue
        for name, value in metrics.items():
            total[name] += value
    return total
