"""The emulator's seeded world: ad accounts, campaign groups, campaigns, creatives, and the daily
facts (one metrics dict per creative and day) every analytics answer is aggregated from.

Shape, chosen to be unlike an even spread: a skewed number of creatives per campaign (1 to 13),
creative weights from a Pareto draw, campaigns that deliver in one to three bursts separated by
weeks of silence, a few campaigns that never delivered (DRAFT, one ACTIVE), a test account whose
campaigns never serve, USD and JPY accounts (JPY gives long integer parts), costs carrying up to 23
decimals, and rare creative-days holding only a tiny negative cost (a billing correction; LinkedIn's
documentation neither shows nor rules out such values). A campaign-day is by construction the
exact sum of its creatives' days.

Metrics this world does not model (e.g. registrations, reach, dwell time) are always 0.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Context, Decimal, localcontext
from typing import Any

EXACT = Context(prec=80)  # wide enough that every sum below is exact
Number = int | Decimal

METRICS: tuple[str, ...] = (
    # core
    "impressions", "clicks", "costInLocalCurrency", "costInUsd", "landingPageClicks",
    "companyPageClicks", "totalEngagements", "otherEngagements", "textUrlClicks", "reactions",
    "likes", "comments", "commentLikes", "shares", "follows", "fullScreenPlays", "actionClicks",
    "adUnitClicks", "cardClicks", "cardImpressions", "downloadClicks", "approximateMemberReach",
    "averageDwellTime", "audiencePenetration",
    # conversions and leads
    "externalWebsiteConversions", "externalWebsitePostClickConversions",
    "externalWebsitePostViewConversions", "conversionValueInLocalCurrency", "oneClickLeads",
    "oneClickLeadFormOpens", "qualifiedLeads", "costPerQualifiedLead", "validWorkEmailLeads",
    "talentLeads", "jobApplications", "jobApplyClicks", "postClickJobApplications",
    "postClickJobApplyClicks", "postClickRegistrations", "postViewJobApplications",
    "postViewJobApplyClicks", "postViewRegistrations", "registrations", "subscriptionClicks",
    # messaging
    "sends", "opens", "leadGenerationMailContactInfoShares", "leadGenerationMailInterestedClicks",
    "headlineClicks", "headlineImpressions",
    # video and document
    "videoStarts", "videoViews", "videoFirstQuartileCompletions", "videoMidpointCompletions",
    "videoThirdQuartileCompletions", "videoCompletions", "documentCompletions",
    "documentFirstQuartileCompletions", "documentMidpointCompletions",
    "documentThirdQuartileCompletions",
    # viral
    "viralImpressions", "viralClicks", "viralLikes", "viralComments", "viralCommentLikes",
    "viralShares", "viralFollows", "viralReactions", "viralCompanyPageClicks",
    "viralLandingPageClicks", "viralTotalEngagements", "viralOtherEngagements", "viralCardClicks",
    "viralCardImpressions", "viralFullScreenPlays", "viralDownloadClicks", "viralVideoStarts",
    "viralVideoViews", "viralVideoFirstQuartileCompletions", "viralVideoMidpointCompletions",
    "viralVideoThirdQuartileCompletions", "viralVideoCompletions", "viralDocumentCompletions",
    "viralDocumentFirstQuartileCompletions", "viralDocumentMidpointCompletions",
    "viralDocumentThirdQuartileCompletions", "viralExternalWebsiteConversions",
    "viralExternalWebsitePostClickConversions", "viralExternalWebsitePostViewConversions",
    "viralOneClickLeads", "viralOneClickLeadFormOpens", "viralJobApplications",
    "viralJobApplyClicks", "viralPostClickJobApplications", "viralPostClickJobApplyClicks",
    "viralPostClickRegistrations", "viralPostViewJobApplications", "viralPostViewJobApplyClicks",
    "viralPostViewRegistrations", "viralRegistrations", "viralSubscriptionClicks",
)  # fmt: skip
# BigDecimal metrics: served as JSON strings.
DECIMAL_METRICS = frozenset(
    m
    for m in METRICS
    if m.startswith(("cost", "conversionValue"))
    or m.endswith(("JobApplications", "JobApplyClicks", "Registrations"))
    or m in ("jobApplications", "jobApplyClicks", "registrations", "viralRegistrations")
)
# Not served on MEMBER_* rows.
NON_DEMOGRAPHIC = frozenset(
    {"approximateMemberReach", "cardClicks", "cardImpressions", "conversionValueInLocalCurrency"}
    | {"viralCardClicks", "viralCardImpressions"}
)
# Reach and conversion metrics are not served when IMPRESSION_DEVICE_TYPE is a pivot.
NO_DEVICE = frozenset(
    {"approximateMemberReach", "conversionValueInLocalCurrency", "qualifiedLeads"}
    | {"costPerQualifiedLead"}
    | {m for m in METRICS if "ExternalWebsite" in m or m.startswith("externalWebsite")}
)
DEVICES = ("DESKTOP_WEB", "MOBILE_APP", "MOBILE_WEB", "UNDETECTED")
COMPANY_SIZES = (
    "SIZE_1", "SIZE_2_TO_10", "SIZE_11_TO_50", "SIZE_51_TO_200", "SIZE_201_TO_500",
    "SIZE_501_TO_1000", "SIZE_1001_TO_5000", "SIZE_5001_TO_10000", "SIZE_10001_OR_MORE",
)  # fmt: skip
MEMBER_PIVOTS = (
    "MEMBER_COMPANY", "MEMBER_COMPANY_SIZE", "MEMBER_COUNTRY_V2", "MEMBER_REGION_V2",
    "MEMBER_INDUSTRY", "MEMBER_JOB_FUNCTION", "MEMBER_JOB_TITLE", "MEMBER_SENIORITY",
)  # fmt: skip
FX_TO_USD = {"USD": Decimal(1), "JPY": Decimal("0.0067123")}
_CAMPAIGN_STATUS_PLAN = (
    "ACTIVE", "PAUSED", "ACTIVE", "COMPLETED", "DRAFT", "ACTIVE",
    "ARCHIVED", "ACTIVE", "REMOVED", "PAUSED", "ACTIVE", "CANCELED",
)  # fmt: skip
_NAMES = ("Nordwind Müller", "Jean\u2019s Ads", "Acme & Co", "Blue Fjord", "Kōhai Labs", "Orbit")


def _default_versions() -> tuple[str, ...]:
    return tuple(
        f"{y}{m:02d}"
        for y in (2024, 2025, 2026)
        for m in range(1, 13)
        if "202411" <= f"{y}{m:02d}" <= "202611"
    )


@dataclass(frozen=True)
class EmulatorConfig:
    """Knobs of one emulator instance; everything is deterministic given `seed` and `today`."""

    seed: int = 11
    accounts: int = 3  # serving accounts; one test account is always added
    days: int = 120
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    latency_ms: int = 0
    row_cap: int = 15_000
    campaigns_per_account: int = 4  # average; accounts get 5, 4, 3, 5, ... of them
    default_page_size: int = 7  # when a finder call sends no pageSize
    page_cap: int = 10  # the server never returns more entities than this in one page
    access_token: str = "emulator-access-token"
    port: int = 0  # 0: a free port
    versions: tuple[str, ...] = field(default_factory=_default_versions)


@dataclass
class Campaign:
    id: int
    account_id: int
    group_id: int
    name: str
    status: str
    type: str
    objective: str
    cost_type: str
    created: int
    bursts: list[tuple[int, int]]
    creative_ids: list[int] = field(default_factory=list)


@dataclass
class Creative:
    id: int
    campaign_id: int
    account_id: int
    status: str
    content: dict[str, Any]
    created: int
    name: str | None
    delivered: bool

    @property
    def urn(self) -> str:
        return f"urn:li:sponsoredCreative:{self.id}"


class World:
    """Entities plus facts[creative_id][day_index] (non-zero metrics only) and device splits."""

    def __init__(self, cfg: EmulatorConfig) -> None:
        self.cfg = cfg
        self.first_day = cfg.today - timedelta(days=cfg.days - 1)
        self.rng = rng = random.Random(cfg.seed)
        self._used: set[int] = set()
        self._shares: dict[tuple[str, int], list[tuple[str, Decimal]]] = {}
        epoch = datetime(self.first_day.year, self.first_day.month, self.first_day.day, tzinfo=UTC)
        self.t0 = int(epoch.timestamp() * 1000)
        self.accounts: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.campaigns: dict[int, Campaign] = {}
        self.creatives: dict[int, Creative] = {}
        self.facts: dict[int, dict[int, dict[str, Number]]] = {}
        self.devices: dict[tuple[int, int], dict[str, dict[str, Number]]] = {}
        plan = list(_CAMPAIGN_STATUS_PLAN)
        rng.shuffle(plan)
        silent = max(i for i, s in enumerate(plan) if s == "ACTIVE")  # an ACTIVE that never served
        serial = 0
        for a in range(cfg.accounts + 1):
            test = a == cfg.accounts
            acct = self._account(a, test)
            groups = [self._group(acct, "Default Campaign Group", backfilled=True)]
            groups += [self._group(acct, f"Group {chr(65 + g)}") for g in range(1 + a % 2)]
            count = 2 if test else max(1, cfg.campaigns_per_account + 1 - a % 3)
            for _ in range(count):
                status = "ACTIVE" if test else plan[serial % len(plan)]
                delivers = not test and status != "DRAFT" and serial % len(plan) != silent
                self._campaign(acct, rng.choice(groups)["id"], status, delivers, serial)
                serial += 1

    # -- entities ---------------------------------------------------------------------------
    def _id(self, lo: int) -> int:
        while (n := self.rng.randrange(lo, lo + 99_999_999)) in self._used:
            pass
        self._used.add(n)
        return n

    def _stamp(self, lo: int, hi: int) -> int:
        return self.t0 + self.rng.randint(lo, hi) * 86_400_000 + self.rng.randrange(86_400_000)

    def _account(self, a: int, test: bool) -> dict[str, Any]:
        created = self._stamp(-400, -30)
        acct = {
            "test": test,
            "notifiedOnCreativeRejection": False,
            "notifiedOnNewFeaturesEnabled": False,
            "notifiedOnEndOfCampaign": a % 2 == 0,
            "notifiedOnCampaignOptimization": False,
            "notifiedOnCreativeApproval": False,
            "servingStatuses": ["RUNNABLE"] if a != 1 else ["RUNNABLE", "BILLING_HOLD"],
            "type": "ENTERPRISE" if a == 2 else "BUSINESS",
            "version": {"versionTag": str(a + 2)},
            "reference": f"urn:li:organization:{self._id(10_000_000)}",
            "name": "Sandbox test account" if test else f"{_NAMES[a % len(_NAMES)]} {a + 1}",
            "currency": "JPY" if a % 2 == 1 and not test else "USD",
            "id": self._id(500_000_000),
            "status": "ACTIVE",
            "changeAuditStamps": {
                "created": {"time": created},
                "lastModified": {"time": created + 86_400_000 * (a + 3)},
            },
        }
        self.accounts.append(acct)
        return acct

    def _group(self, acct: dict[str, Any], name: str, backfilled: bool = False) -> dict[str, Any]:
        created = self._stamp(-60, -1)
        group = {
            "runSchedule": {"start": created},
            "test": acct["test"],
            "name": name,
            "servingStatuses": ["RUNNABLE"],
            "backfilled": backfilled,
            "id": self._id(600_000_000),
            "account": f"urn:li:sponsoredAccount:{acct['id']}",
            "status": "ACTIVE" if backfilled or self.rng.random() < 0.7 else "ARCHIVED",
            "changeAuditStamps": {"created": {"time": created}, "lastModified": {"time": created}},
        }
        if not backfilled:
            amount = self.rng.choice(["5000", "12500.5", "80000"])
            group["totalBudget"] = {"currencyCode": acct["currency"], "amount": amount}
        self.groups.append(group)
        return group

    def _campaign(
        self, acct: dict[str, Any], group_id: int, status: str, delivers: bool, serial: int
    ) -> None:
        rng, days = self.rng, self.cfg.days
        ctype = rng.choice(["SPONSORED_UPDATES"] * 4 + ["TEXT_AD", "SPONSORED_INMAILS"])
        objective = rng.choice(
            [
                "BRAND_AWARENESS",
                "WEBSITE_CONVERSION",
                "LEAD_GENERATION",
                "WEBSITE_VISIT",
                "VIDEO_VIEW",
            ]
        )
        bursts: list[tuple[int, int]] = []
        if delivers:
            cursor = rng.randrange(max(1, days // 4))
            for _ in range(rng.choice([1, 2, 2, 3])):
                length = rng.randint(5, 28)
                bursts.append((cursor, min(days - 1, cursor + length - 1)))
                cursor += length + rng.randint(10, 35)  # weeks of silence between bursts
                if cursor >= days:
                    break
            if status == "ACTIVE":
                bursts[-1] = (bursts[-1][0], days - 1)
        camp = Campaign(
            self._id(700_000_000),
            acct["id"],
            group_id,
            f"{objective.title()} {serial + 1:02d}",
            status,
            ctype,
            objective,
            "CPC" if objective == "WEBSITE_VISIT" else "CPM",
            self._stamp(-20, 0),
            bursts,
        )
        self.campaigns[camp.id] = camp
        if status == "DRAFT":
            n_creatives = 1
        elif serial in (0, 1):
            n_creatives = (1, 13)[serial]  # always one single-creative and one crowded campaign
        else:
            n_creatives = rng.choices([1, 2, 3, 4, 6, 9, 13], weights=[4, 3, 3, 3, 2, 2, 1])[0]
        weights = [rng.paretovariate(1.3) for _ in range(n_creatives)]
        for i, weight in enumerate(weights):
            self._creative(camp, acct, weight / sum(weights), first=i == 0)

    def _creative(self, camp: Campaign, acct: dict[str, Any], share: float, first: bool) -> None:
        rng, days = self.rng, self.cfg.days
        cid = self._id(800_000_000)
        if camp.type == "TEXT_AD":
            content: dict[str, Any] = {
                "textAd": {
                    "headline": f"Try it {cid % 97}",
                    "description": "Fast, simple",
                    "landingPage": f"https://example.com/l/{cid}",
                }
            }
        elif camp.type == "SPONSORED_INMAILS":
            content = {"reference": f"urn:li:adInMailContent:{cid + 17}"}
        else:
            content = {"reference": f"urn:li:{rng.choice(['share', 'ugcPost'])}:{cid * 7919}"}
        window = (0, days - 1) if first else (s := rng.randrange(days), s + rng.randint(7, days))
        never = not camp.bursts or (not first and rng.random() < 0.15)
        if camp.status == "DRAFT":
            status = "DRAFT"
        elif never:
            status = rng.choice(["ACTIVE", "PAUSED"])
        elif camp.status == "ACTIVE" and window[1] >= days - 1:
            status = "ACTIVE"
        else:
            status = rng.choice(["PAUSED", "ARCHIVED"])
        name = None if rng.random() < 0.4 else f"Ad {len(self.creatives) + 1}"
        cr = Creative(cid, camp.id, acct["id"], status, content, camp.created + 60_000, name, False)
        self.creatives[cid] = cr
        camp.creative_ids.append(cid)
        if never:
            return
        video = camp.objective == "VIDEO_VIEW" and camp.type == "SPONSORED_UPDATES"
        facts: dict[int, dict[str, Number]] = {}
        scale = rng.lognormvariate(7.3, 0.9) * share
        ctr = rng.uniform(0.004, 0.03)
        rate = Decimal(rng.randint(900, 9000)) / 100  # CPM or CPC in USD
        rate *= 1 if acct["currency"] == "USD" else 150
        precise = rng.random() < 0.5
        for start, end in camp.bursts:
            for day in range(max(start, window[0]), min(end, window[1]) + 1):
                if rng.random() < 0.08:
                    continue  # the odd silent day inside a burst
                m = self._day(camp, acct["currency"], scale, ctr, rate, precise, video)
                if m:
                    facts[day] = m
                    self.devices[(cid, day)] = self._split_devices(m)
        cr.delivered = bool(facts)
        self.facts[cid] = facts

    def _day(
        self,
        camp: Campaign,
        currency: str,
        scale: float,
        ctr: float,
        rate: Decimal,
        precise: bool,
        video: bool,
    ) -> dict[str, Number]:
        rng = self.rng
        imps = int(scale * rng.lognormvariate(0, 0.35))
        fx = FX_TO_USD[currency]
        if imps == 0:
            if rng.random() < 0.05:  # billing correction: a tiny negative cost and nothing else
                return {
                    "costInLocalCurrency": Decimal("-2E-18"),
                    "costInUsd": Decimal("-2E-18") * fx,
                }
            return {}

        def frac(n: float, p: float) -> int:
            return min(int(n), int(n * p * rng.uniform(0.5, 1.5) + rng.random()))

        clicks = frac(imps, ctr)
        m: dict[str, Number] = {"impressions": imps, "clicks": clicks}
        m["landingPageClicks"] = frac(clicks, 0.7)
        m["companyPageClicks"] = frac(clicks, 0.05)
        m["reactions"] = frac(imps, 0.004)
        m["likes"] = frac(m["reactions"], 0.8)
        m["comments"] = frac(imps, 0.0005)
        m["shares"] = frac(imps, 0.0003)
        m["follows"] = frac(imps, 0.0004)
        m["otherEngagements"] = frac(clicks, 0.1)
        m["totalEngagements"] = clicks + sum(
            int(m[k]) for k in ("reactions", "comments", "shares", "follows", "otherEngagements")
        )
        m["viralImpressions"] = frac(imps, 0.02)
        m["viralClicks"] = frac(m["viralImpressions"], 0.01)
        with localcontext(EXACT):
            base = Decimal(imps) / 1000 if camp.cost_type == "CPM" else Decimal(clicks)
            cost = base * rate
            if precise:
                cost += Decimal(rng.randint(1, 999_999)).scaleb(-23)
            m["costInLocalCurrency"] = cost
            m["costInUsd"] = cost * fx
            if camp.objective == "WEBSITE_CONVERSION":
                conv = frac(clicks, 0.08)
                m["externalWebsitePostClickConversions"] = post_click = frac(conv, 0.7)
                m["externalWebsitePostViewConversions"] = conv - post_click
                m["externalWebsiteConversions"] = conv
                unit = Decimal("49.90") if currency == "USD" else Decimal("7485")
                m["conversionValueInLocalCurrency"] = conv * unit
        if camp.objective == "LEAD_GENERATION":
            m["oneClickLeadFormOpens"] = frac(clicks, 0.3)
            m["oneClickLeads"] = frac(m["oneClickLeadFormOpens"], 0.4)
        if camp.type == "SPONSORED_INMAILS":
            m["sends"], m["opens"] = imps, frac(imps, 0.4)
        if video:
            m["videoStarts"] = starts = frac(imps, 0.3)
            m["videoViews"] = frac(starts, 0.6)
            m["videoFirstQuartileCompletions"] = q1 = frac(starts, 0.8)
            m["videoMidpointCompletions"] = q2 = frac(q1, 0.75)
            m["videoThirdQuartileCompletions"] = q3 = frac(q2, 0.75)
            m["videoCompletions"] = frac(q3, 0.8)
        return {k: v for k, v in m.items() if v != 0}

    def _split_devices(self, m: dict[str, Number]) -> dict[str, dict[str, Number]]:
        raw = [self.rng.uniform(0.2, 1.0) * w for w in (0.45, 0.35, 0.15, 0.05)]
        shares = [Decimal(f"{r / sum(raw):.4f}") for r in raw]
        out: dict[str, dict[str, Number]] = {d: {} for d in DEVICES}
        with localcontext(EXACT):
            for k, v in m.items():
                if k in NO_DEVICE:
                    continue
                if isinstance(v, int):
                    parts: list[Number] = [int(v * s) for s in shares[:-1]]
                else:
                    q = Decimal(1).scaleb(v.as_tuple().exponent)  # type: ignore[arg-type]
                    parts = [(v * s).quantize(q, rounding=ROUND_DOWN) for s in shares[:-1]]
                parts.append(v - sum(parts))
                for device, part in zip(DEVICES, parts, strict=True):
                    if part != 0:
                        out[device][k] = part
        return {d: mm for d, mm in out.items() if mm}

    # -- demographics ----------------------------------------------------------------------
    def member_values(self, pivot: str) -> list[str]:
        """The value space of a MEMBER_* pivot, fixed per seed."""
        rng = random.Random(f"{self.cfg.seed}:{pivot}")
        prefix, count = {
            "MEMBER_COMPANY": ("urn:li:organization:", 150),
            "MEMBER_COUNTRY_V2": ("urn:li:geo:", 24),
            "MEMBER_REGION_V2": ("urn:li:geo:", 40),
            "MEMBER_INDUSTRY": ("urn:li:industry:", 30),
            "MEMBER_JOB_TITLE": ("urn:li:title:", 80),
        }.get(pivot, ("", 0))
        if pivot == "MEMBER_COMPANY_SIZE":
            return list(COMPANY_SIZES)
        if pivot == "MEMBER_JOB_FUNCTION":
            return [f"urn:li:function:{n}" for n in range(1, 27)]
        if pivot == "MEMBER_SENIORITY":
            return [f"urn:li:seniority:{n}" for n in range(1, 11)]
        return [f"{prefix}{n}" for n in sorted(rng.sample(range(100, 99_999_999), count))]

    def member_shares(self, pivot: str, campaign_id: int) -> list[tuple[str, Decimal]]:
        """Per campaign audience shares (summing to about 0.92: not every member is resolved)."""
        if (pivot, campaign_id) not in self._shares:
            values = self.member_values(pivot)
            rng = random.Random(f"{self.cfg.seed}:{pivot}:{campaign_id}")
            raw = [rng.uniform(0.3, 1.7) / (rank + 1) ** 1.1 for rank in range(len(values))]
            rng.shuffle(raw)
            total = sum(raw)
            self._shares[pivot, campaign_id] = [
                (v, Decimal(f"{0.92 * r / total:.6f}")) for v, r in zip(values, raw, strict=True)
            ]
        return self._shares[pivot, campaign_id]
