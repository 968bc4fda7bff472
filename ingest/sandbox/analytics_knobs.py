"""Knobs that make analytics values look like real LinkedIn data (shared by engine and truth).

`money_tails`: LinkedIn serves BigDecimal metrics as strings that can carry more than 18 decimals
("107.5300000000000335346"). With the knob on, every creative-day value of a decimal metric gets a
deterministic tail of 10 more digits (22 decimals, the last one never 0), and every aggregate
(campaign, group, account, any granularity) is the exact sum of those tailed values, as LinkedIn's
totals are. A client that rounds each value to 18 places therefore sees sums of creatives that
differ from the campaign value in the last place.

`creative_gaps`: LinkedIn's creative-level reports leave out deleted creatives while campaign,
group and account reports still count their delivery. With the knob at N, the N creatives with
the fewest impressions among those that delivered on at least GAP_MIN_DAYS days (at most one per
campaign, only in campaigns with another such creative) are left out of every CREATIVE-pivot
response, so those campaigns' totals exceed the sum of their creatives slightly.
"""

from __future__ import annotations

from collections.abc import Mapping

from .contract import DECIMAL_METRICS
from .data import SCALE, Advertiser, format_decimal

TAIL_DIGITS = 10
TAIL_FACTOR = 10**TAIL_DIGITS
FINE_SCALE = SCALE * TAIL_FACTOR  # decimal metrics with tails: integer units of 1e-22

GAP_MIN_DAYS = 7  # a left-out creative ran for a while, as a deleted one had
_MASK = 2**64 - 1
_SALT = {
    name: (index + 1) * 0x9E3779B97F4A7C15 for index, name in enumerate(sorted(DECIMAL_METRICS))
}


def tail(urn: str, ordinal: int, metric: str) -> int:
    """The tail of one creative-day value, in units of 1e-22: 1..10**10 - 1, last digit 1..9."""
    key = int(urn.rsplit(":", 1)[-1])
    mixed = (key * 0xBF58476D1CE4E5B9 + ordinal * 0x94D049BB133111EB + _SALT[metric]) & _MASK
    mixed ^= mixed >> 31
    mixed = (mixed * 0xD6E8FEB86659FD93) & _MASK
    mixed ^= mixed >> 29
    return (mixed % (TAIL_FACTOR // 10)) * 10 + 1 + mixed % 9


def with_tails(urn: str, ordinal: int, metrics: Mapping[str, int]) -> dict[str, int]:
    """One creative-day's stored metrics with decimal metrics in tailed units (1e-22)."""
    return {
        name: value * TAIL_FACTOR + tail(urn, ordinal, name)
        if value and name in DECIMAL_METRICS
        else value
        for name, value in metrics.items()
    }


def served_metrics(
    urn: str, ordinal: int, metrics: Mapping[str, int], tails: bool
) -> Mapping[str, int]:
    """A creative-day's metrics as the knob serves them (integer units of `decimal_scale`)."""
    return with_tails(urn, ordinal, metrics) if tails else metrics


def decimal_scale(tails: bool) -> int:
    """Integer units per 1 of a decimal metric as served."""
    return FINE_SCALE if tails else SCALE


def wire_value(metric: str, units: int, tails: bool) -> int | str:
    """A served value as a response element carries it: a decimal string or an integer."""
    if metric not in DECIMAL_METRICS:
        return units
    if not tails:
        return format_decimal(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), FINE_SCALE)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + f"{frac:022d}".rstrip("0")


def gapped_creatives(adv: Advertiser, count: int) -> frozenset[str]:
    """The creatives creative-level reports leave out: see the module docstring."""
    if count <= 0:
        return frozenset()
    delivering: dict[int, list[tuple[int, str]]] = {}
    for urn, ref in adv.refs.items():
        days = adv.facts.get(urn, {})
        if len(days) >= GAP_MIN_DAYS:
            impressions = sum(metrics.get("impressions", 0) for metrics in days.values())
            delivering.setdefault(ref.campaign_id, []).append((impressions, urn))
    smallest = sorted(min(pairs) for pairs in delivering.values() if len(pairs) > 1)
    return frozenset(urn for _, urn in smallest[:count])
