"""Ground truth of the sandbox in Python types, and its JSON summary for /_sandbox/truth."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from ingest.linkedin_ads.settings import METRICS

from .data import SCALE, Advertiser, format_decimal

Number = int | Decimal

GOLD_METRICS: tuple[str, ...] = (
    "impressions", "clicks", "costInLocalCurrency", "costInUsd", "externalWebsiteConversions",
    "conversionValueInLocalCurrency", "oneClickLeads", "landingPageClicks", "totalEngagements",
    "videoViews", "videoCompletions", "likes", "comments", "shares", "follows", "opens", "sends",
)  # fmt: skip
_DECIMALS = frozenset(m.api_name for m in METRICS if m.kind == "decimal")


def _id(value: int | str) -> int:
    """An entity id from an int, a numeric string or a URN."""
    return int(str(value).rsplit(":", 1)[-1])


def to_python(name: str, units: int) -> Number:
    """A stored value as the API means it: Decimal for BigDecimal metrics, int for counts."""
    return Decimal(units) / SCALE if name in _DECIMALS else units


class Truth:
    """What the sandbox serves, read live (restatements included).

    Entities are the full wire records (before schema-drift knobs). Daily values cover every
    catalogue metric (zeros included) for days with any delivery; ids may be ints or URNs.
    """

    def __init__(self, advertiser: Advertiser) -> None:
        self._adv = advertiser

    @property
    def first_day(self) -> date:
        return self._adv.first_day

    @property
    def last_day(self) -> date:
        return self._adv.today

    @property
    def accounts(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._adv.accounts)

    @property
    def campaign_groups(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._adv.groups)

    @property
    def campaigns(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._adv.campaigns)

    @property
    def creatives(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._adv.creatives)

    def currency(self, account: int | str) -> str:
        return self._adv.currency[_id(account)]

    def creatives_of(
        self, *, campaign: int | str | None = None, account: int | str | None = None
    ) -> list[str]:
        """Creative URNs of a campaign or an account."""
        refs = self._adv.refs.values()
        if campaign is not None:
            return [r.urn for r in refs if r.campaign_id == _id(campaign)]
        if account is not None:
            return [r.urn for r in refs if r.account_id == _id(account)]
        return [r.urn for r in refs]

    def campaigns_of(self, account: int | str) -> list[int]:
        urn = f"urn:li:sponsoredAccount:{_id(account)}"
        return [c["id"] for c in self._adv.campaigns if c["account"] == urn]

    def _daily(self, creatives: Iterable[str]) -> dict[date, dict[str, Number]]:
        sums: dict[int, dict[str, int]] = {}
        for urn in creatives:
            for ordinal, metrics in self._adv.facts.get(urn, {}).items():
                bucket = sums.setdefault(ordinal, {})
                for name, value in metrics.items():
                    bucket[name] = bucket.get(name, 0) + value
        return {
            date.fromordinal(o): {
                m.api_name: to_python(m.api_name, sums[o].get(m.api_name, 0)) for m in METRICS
            }
            for o in sorted(sums)
        }

    def creative_daily(self, creative: str) -> dict[date, dict[str, Number]]:
        """Per day, every metric of one creative (URN or numeric id)."""
        urn = (
            creative if str(creative).startswith("urn:") else f"urn:li:sponsoredCreative:{creative}"
        )
        return self._daily([urn])

    def campaign_daily(self, campaign: int | str) -> dict[date, dict[str, Number]]:
        """Per day, every metric of a campaign: the sum of its creatives."""
        return self._daily(self.creatives_of(campaign=campaign))

    def account_daily(self, account: int | str) -> dict[date, dict[str, Number]]:
        """Per day, every metric of an account: the sum of its campaigns."""
        return self._daily(self.creatives_of(account=account))

    @staticmethod
    def _total(
        daily: dict[date, dict[str, Number]], start: date | None, end: date | None
    ) -> dict[str, Number]:
        total: dict[str, Number] = {m.api_name: to_python(m.api_name, 0) for m in METRICS}
        for day, metrics in daily.items():
            if (start and day < start) or (end and day > end):
                continue
            for name, value in metrics.items():
                total[name] += value
        return total

    def creative_totals(
        self, creative: str, start: date | None = None, end: date | None = None
    ) -> dict[str, Number]:
        return self._total(self.creative_daily(creative), start, end)

    def campaign_totals(
        self, campaign: int | str, start: date | None = None, end: date | None = None
    ) -> dict[str, Number]:
        return self._total(self.campaign_daily(campaign), start, end)

    def account_totals(
        self, account: int | str, start: date | None = None, end: date | None = None
    ) -> dict[str, Number]:
        return self._total(self.account_daily(account), start, end)

    def to_json(self) -> dict[str, Any]:
        """Totals over the data window for the gold metrics; decimals as strings."""

        def totals(creatives: Iterable[str]) -> dict[str, Any]:
            sums = dict.fromkeys(GOLD_METRICS, 0)
            for urn in creatives:
                for metrics in self._adv.facts.get(urn, {}).values():
                    for name in GOLD_METRICS:
                        sums[name] += metrics.get(name, 0)
            return {k: format_decimal(v) if k in _DECIMALS else v for k, v in sums.items()}

        adv = self._adv
        return {
            "seed": adv.seed,
            "first_day": adv.first_day.isoformat(),
            "last_day": adv.today.isoformat(),
            "metrics": list(GOLD_METRICS),
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
