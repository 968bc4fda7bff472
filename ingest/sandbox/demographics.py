"""Professional-demographic (MEMBER_*) values derived from campaign facts.

Approximate like LinkedIn's: a campaign's period totals are split over a seeded, skewed set of
values per pivot; values with too few impressions are dropped and only the largest values per
campaign per period are kept, so sums never reconcile exactly with the campaign rows.
"""

from __future__ import annotations

import random
import threading

from .contract import DECIMAL_METRICS, MEMBER_MIN_IMPRESSIONS, MEMBER_TOP_VALUES

_COMPANY_SIZES = (
    "SIZE_1", "SIZE_2_TO_10", "SIZE_11_TO_50", "SIZE_51_TO_200", "SIZE_201_TO_500",
    "SIZE_501_TO_1000", "SIZE_1001_TO_5000", "SIZE_5001_TO_10000", "SIZE_10001_OR_MORE",
)  # fmt: skip


def _space(pivot: str, seed: int) -> list[str]:
    rng = random.Random(f"{seed}:space:{pivot}")
    if pivot == "MEMBER_COMPANY_SIZE":
        return list(_COMPANY_SIZES)
    if pivot == "MEMBER_SENIORITY":
        return [f"urn:li:seniority:{n}" for n in range(1, 11)]
    if pivot == "MEMBER_JOB_FUNCTION":
        return [f"urn:li:function:{n}" for n in range(1, 27)]
    if pivot == "MEMBER_INDUSTRY":
        return [f"urn:li:industry:{n}" for n in rng.sample(range(1, 3200), 80)]
    if pivot == "MEMBER_COUNTRY_V2":
        return [f"urn:li:geo:{n}" for n in rng.sample(range(100_000_000, 107_000_000), 45)]
    if pivot == "MEMBER_REGION_V2":
        return [f"urn:li:geo:{n}" for n in rng.sample(range(90_000_000, 90_010_000), 120)]
    if pivot == "MEMBER_JOB_TITLE":
        return [f"urn:li:title:{n}" for n in rng.sample(range(1, 30_000), 260)]
    if pivot == "MEMBER_COMPANY":
        return [f"urn:li:organization:{n}" for n in rng.sample(range(1_000, 99_999_999), 400)]
    raise ValueError(pivot)


class Demographics:
    """Seeded per-campaign value weights and the approximate split of period totals."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._weights: dict[tuple[str, int], list[tuple[str, float]]] = {}
        self._lock = threading.Lock()

    def weights(self, pivot: str, campaign_id: int) -> list[tuple[str, float]]:
        """(value, share) pairs in decreasing share; shares sum to a bit under 1."""
        key = (pivot, campaign_id)
        with self._lock:
            cached = self._weights.get(key)
            if cached is not None:
                return cached
            rng = random.Random(f"{self.seed}:weights:{pivot}:{campaign_id}")
            space = _space(pivot, self.seed)
            values = rng.sample(space, max(1, int(len(space) * rng.uniform(0.5, 0.9))))
            raw = [1.0 / (rank + 1) ** rng.uniform(0.9, 1.4) for rank in range(len(values))]
            known = rng.uniform(0.82, 0.95)  # the rest is members LinkedIn cannot attribute
            total = sum(raw)
            pairs = [(v, w * known / total) for v, w in zip(values, raw, strict=True)]
            self._weights[key] = pairs
            return pairs

    def split(
        self,
        pivot: str,
        campaign_id: int,
        period: int,
        totals: dict[str, int],
        names: list[str],
        noise: float,
    ) -> list[tuple[str, dict[str, int]]]:
        """The kept (value, metrics) of one campaign-period; metrics in SCALE units for decimals."""
        impressions = totals.get("impressions", 0)
        rng = random.Random(f"{self.seed}:noise:{pivot}:{campaign_id}:{period}") if noise else None
        # every value draws its noise, in order; only the kept ones get their metrics split
        kept: list[tuple[int, str, float]] = []
        for value, share in self.weights(pivot, campaign_id):
            factor = share * (1.0 + rng.uniform(-noise, noise)) if rng else share
            value_impressions = int(impressions * factor)
            if value_impressions >= MEMBER_MIN_IMPRESSIONS:
                kept.append((value_impressions, value, factor))
        kept.sort(key=lambda item: (-item[0], item[1]))
        out: list[tuple[str, dict[str, int]]] = []
        for value_impressions, value, factor in kept[:MEMBER_TOP_VALUES]:
            metrics: dict[str, int] = {}
            for name in names:
                amount = totals.get(name, 0)
                if not amount:
                    continue
                part = int(amount * factor)
                if name in DECIMAL_METRICS:
                    part -= part % 10**6  # approximate money keeps six decimals
                if part:
                    metrics[name] = part
            metrics["impressions"] = value_impressions
            out.append((value, metrics))
        return out
