"""The seeded advertiser: entity wire records and sparse daily creative facts.

Decimal metrics are stored as integers in units of 1e-12 (SCALE) so that sums are exact and
fast; campaign and account values are never stored, always summed from their creatives.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .contract import DECIMAL_METRICS
from .targeting import targeting_criteria

SCALE = 10**12  # decimal metrics: integer units of 1e-12
MICRO_TO_SCALE = 10**6  # one local-currency micro unit in SCALE units
WINDOW_DAYS = 120
USD_RATE_MICROS = {"USD": 1_000_000, "EUR": 1_084_300, "GBP": 1_267_900}  # fixed, per currency

Facts = dict[int, dict[str, int]]  # day ordinal -> non-zero metrics of one creative


@dataclass(frozen=True)
class Size:
    """How big a generated advertiser is: serving ad accounts (a non-serving test account is
    always added), campaigns and creatives spread evenly over them, and days of data."""

    accounts: int
    campaigns: int
    creatives: int
    days: int

    def __post_init__(self) -> None:
        if self.accounts < 1 or self.days < 1:
            raise ValueError("a size needs at least one account and one day")
        if self.campaigns < self.accounts or self.creatives < self.campaigns:
            raise ValueError("a size needs a campaign per account and a creative per campaign")


def epoch_ms(day: date, seconds: int = 0) -> int:
    """Milliseconds since the epoch at midnight UTC of day, plus seconds."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + seconds) * 1000


def format_decimal(units: int) -> str:
    """SCALE units -> exact decimal string without trailing zeros ("209.449", "0")."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), SCALE)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + f"{frac:012d}".rstrip("0")


def wire_value(metric: str, units: int) -> int | str:
    """A stored value as a response element carries it: a decimal string or an integer."""
    return format_decimal(units) if metric in DECIMAL_METRICS else units


@dataclass(frozen=True)
class CreativeRef:
    """Where a creative sits: its campaign, group, account and content."""

    urn: str
    campaign_id: int
    group_id: int
    account_id: int
    campaign_type: str
    reference: str | None


@dataclass(frozen=True)
class _Template:
    type: str
    format: str
    objective: str
    cost_type: str
    optimization: str
    contents: tuple[str, ...]


_TEMPLATES = (
    _Template("SPONSORED_UPDATES", "STANDARD_UPDATE", "BRAND_AWARENESS", "CPM", "MAX_REACH",
              ("share", "ugcPost")),
    _Template("SPONSORED_UPDATES", "STANDARD_UPDATE", "WEBSITE_VISIT", "CPC", "MAX_CLICK",
              ("share", "ugcPost")),
    _Template("SPONSORED_UPDATES", "STANDARD_UPDATE", "LEAD_GENERATION", "CPC", "MAX_LEAD",
              ("ugcPost", "share")),
    _Template("SPONSORED_UPDATES", "STANDARD_UPDATE", "WEBSITE_CONVERSION", "CPC",
              "MAX_CONVERSION", ("share", "ugcPost")),
    _Template("SPONSORED_UPDATES", "SINGLE_VIDEO", "VIDEO_VIEW", "CPV", "MAX_VIDEO_VIEW",
              ("video", "ugcPost")),
    _Template("SPONSORED_UPDATES", "CAROUSEL", "ENGAGEMENT", "CPM", "MAX_IMPRESSION",
              ("ugcPost",)),
    _Template("SPONSORED_UPDATES", "SPONSORED_UPDATE_NATIVE_DOCUMENT", "LEAD_GENERATION", "CPM",
              "MAX_LEAD", ("ugcPost",)),
    _Template("SPONSORED_INMAILS", "SPONSORED_INMAIL", "LEAD_GENERATION", "CPM", "MAX_LEAD",
              ("adInMailContent",)),
    _Template("TEXT_AD", "TEXT_AD", "WEBSITE_VISIT", "CPC", "MAX_CLICK", ("textAd",)),
    _Template("DYNAMIC", "SPOTLIGHT", "WEBSITE_VISIT", "CPC", "MAX_CLICK", ("adCreativeV2",)),
    _Template("DYNAMIC", "FOLLOWER", "BRAND_AWARENESS", "CPM", "MAX_IMPRESSION",
              ("adCreativeV2",)),
    _Template("SPONSORED_UPDATES", "STANDARD_UPDATE", "WEBSITE_CONVERSION", "CPM",
              "MAX_CONVERSION", ("share", "video")),
)  # fmt: skip

_ACCOUNTS = (
    ("Northwind Analytics", "USD", "BUSINESS", ("US", "en"), 103644278),
    ("Helios Energie GmbH", "EUR", "ENTERPRISE", ("DE", "de"), 101282230),
    ("Bramble & Co Ltd", "GBP", "BUSINESS", ("GB", "en"), 101165590),
)
_TEST_ACCOUNT = ("Sandbox Test Account", "USD", "BUSINESS", ("US", "en"), 103644278)
_GROUP_NAMES = ("Always-on Demand Gen", "Brand {year}", "Product Launch", "Talent & Employer Brand")
_THEMES = (
    "Analytics Suite", "Cloud Migration", "Spring Webinar", "Data Summit", "Free Trial",
    "Customer Stories", "Pricing Update", "Whitepaper", "Partner Program", "Q-Review",
)  # fmt: skip
_CTA = ("DOWNLOAD", "REQUEST_DEMO", "SIGN_UP", "LEARN_MORE", "REGISTER")
_EXTRA_STATUS = ("CANCELED", "REMOVED", "PENDING_DELETION")


@dataclass
class Advertiser:
    """Entities (full wire records, sorted by id) and the creative fact store."""

    seed: int
    today: date
    first_day: date
    accounts: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    creatives: list[dict[str, Any]]
    refs: dict[str, CreativeRef]  # creative URN -> placement, in URN order
    facts: dict[str, Facts]  # creative URN -> day ordinal -> non-zero metrics
    currency: dict[int, str]  # account id -> currency
    conversion_value: dict[int, int]  # campaign id -> value of one conversion, SCALE units
    # Bumped by whatever changes facts (restatements), so that values derived from them and
    # cached (the analytics engine's windows) are keyed by the facts they were derived from.
    revision: int = 0

    @property
    def first_ordinal(self) -> int:
        return self.first_day.toordinal()

    @property
    def last_ordinal(self) -> int:
        return self.today.toordinal()


def default_today() -> date:
    """Today in UTC."""
    return datetime.now(UTC).date()


class _Builder:
    """Builds an Advertiser from a seed; one instance per generation."""

    def __init__(self, seed: int, today: date, size: Size | None = None) -> None:
        self.rng = random.Random(f"linkedin-sandbox:{seed}")
        self.seed = seed
        self.today = today
        self.size = size
        days = size.days if size else WINDOW_DAYS
        self.first_day = today - timedelta(days=days - 1)
        self.scale = days / WINDOW_DAYS  # campaign schedules stretch with the window
        self.used_ids: set[int] = set()
        self.accounts: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.campaigns: list[dict[str, Any]] = []
        self.creatives: list[dict[str, Any]] = []
        self.refs: dict[str, CreativeRef] = {}
        self.facts: dict[str, Facts] = {}
        self.currency: dict[int, str] = {}
        self.conversion_value: dict[int, int] = {}
        # creative URN -> (first, last serving day ordinal, profile)
        self.plans: list[tuple[str, int, int, dict[str, Any]]] = []

    def new_id(self, low: int, high: int) -> int:
        while True:
            value = self.rng.randrange(low, high)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def stamp(self, day: date) -> int:
        return epoch_ms(day, self.rng.randrange(0, 86_400))

    def build(self) -> Advertiser:
        if self.size is None:
            for index, spec in enumerate(_ACCOUNTS):
                self.account(index, spec, test=False)
            self.account(len(_ACCOUNTS), _TEST_ACCOUNT, test=True)
            self.top_up_creatives(minimum=205)
        else:
            for index in range(self.size.accounts):
                name, *rest = _ACCOUNTS[index % len(_ACCOUNTS)]
                if self.size.accounts > len(_ACCOUNTS):
                    name = f"{name} {index + 1}"
                self.account(index, (name, *rest), test=False)
            self.account(self.size.accounts, _TEST_ACCOUNT, test=True)
        for urn, first, last, profile in self.plans:
            self.facts[urn] = _simulate(self.rng, first, last, profile)
        return Advertiser(
            seed=self.seed,
            today=self.today,
            first_day=self.first_day,
            accounts=sorted(self.accounts, key=lambda r: r["id"]),
            groups=sorted(self.groups, key=lambda r: r["id"]),
            campaigns=sorted(self.campaigns, key=lambda r: r["id"]),
            creatives=sorted(self.creatives, key=lambda r: int(r["id"].rsplit(":", 1)[1])),
            refs=dict(sorted(self.refs.items())),
            facts=self.facts,
            currency=self.currency,
            conversion_value=self.conversion_value,
        )

    def account(self, index: int, spec: tuple[Any, ...], *, test: bool) -> None:
        name, currency, kind, locale, geo = spec
        rng = self.rng
        account_id = self.new_id(500_000_000, 520_000_000)
        created = self.day(-rng.randint(400, 900))
        org = f"urn:li:organization:{rng.randrange(10_000_000, 99_999_999)}"
        record: dict[str, Any] = {
            "test": test,
            "notifiedOnCreativeRejection": rng.random() < 0.5,
            "notifiedOnNewFeaturesEnabled": False,
            "notifiedOnEndOfCampaign": True,
            "servingStatuses": ["RUNNABLE"],
            "notifiedOnCampaignOptimization": False,
            "type": kind,
            "version": {"versionTag": str(rng.randint(2, 12))},
            "reference": org,
            "name": name,
            "currency": currency,
            "id": account_id,
            "status": "ACTIVE",
            "changeAuditStamps": {
                "created": {"time": self.stamp(created)},
                "lastModified": {"time": self.stamp(self.day(-rng.randint(1, 60)))},
            },
        }
        if index == 1:
            record["totalBudget"] = {"amount": "250000", "currencyCode": currency}
        self.accounts.append(record)
        self.currency[account_id] = currency
        groups = [self.group(account_id, created, None, backfilled=True)]
        if test:
            return
        year = self.today.year
        for offset, group_name in enumerate(_GROUP_NAMES[: 2 + (index % 2)]):
            status = (
                "ARCHIVED"
                if offset == 2
                else ("PAUSED" if index == 2 and offset == 1 else "ACTIVE")
            )
            groups.append(
                self.group(account_id, created, group_name.format(year=year), status=status)
            )
        statuses = ["ACTIVE"] * 5 + ["PAUSED"] * 2 + ["COMPLETED"] * 2 + ["ARCHIVED", "DRAFT"]
        statuses.append(_EXTRA_STATUS[index % len(_EXTRA_STATUS)])
        rng.shuffle(statuses)
        campaigns = (
            len(_TEMPLATES)
            if self.size is None
            else _share(self.size.campaigns, self.size.accounts, index)
        )
        for number in range(campaigns):
            template = _TEMPLATES[number % len(_TEMPLATES)]
            status = statuses[number % len(statuses)]
            group = groups[0] if number % 5 == 0 else groups[1 + number % (len(groups) - 1)]
            self.campaign(record, group, template, status, locale, geo, number)

    def group(
        self,
        account_id: int,
        created: date,
        name: str | None,
        *,
        backfilled: bool = False,
        status: str = "ACTIVE",
    ) -> dict[str, Any]:
        rng = self.rng
        start = created if backfilled else self.day(-rng.randint(150, 380))
        record: dict[str, Any] = {
            "runSchedule": {"start": self.stamp(start)},
            "test": False,
            "name": "Default Campaign Group" if backfilled else name,
            "servingStatuses": ["RUNNABLE"]
            if status == "ACTIVE"
            else ["CAMPAIGN_GROUP_STATUS_HOLD"],
            "backfilled": backfilled,
            "id": self.new_id(600_000_000, 700_000_000),
            "account": f"urn:li:sponsoredAccount:{account_id}",
            "status": status,
            "changeAuditStamps": {
                "created": {"time": self.stamp(start)},
                "lastModified": {"time": self.stamp(self.day(-rng.randint(0, 90)))},
            },
        }
        if not backfilled:
            currency = self.currency[account_id]
            record["totalBudget"] = {
                "currencyCode": currency,
                "amount": str(rng.choice((5000, 12000, 20000, 50000))),
            }
            if status == "ARCHIVED":
                record["runSchedule"]["end"] = epoch_ms(self.day(-rng.randint(30, 100)), 86_399)
        self.groups.append(record)
        return record

    def campaign(
        self,
        account: dict[str, Any],
        group: dict[str, Any],
        template: _Template,
        status: str,
        locale: tuple[str, str],
        geo: int,
        number: int,
    ) -> None:
        rng = self.rng
        account_id = account["id"]
        currency = account["currency"]
        campaign_id = self.new_id(250_000_000, 260_000_000)
        start, end, serve_end = self.schedule(status)
        serving = {
            "ACTIVE": ["RUNNABLE"],
            "PAUSED": ["STOPPED"],
            "DRAFT": ["STOPPED"],
            "COMPLETED": ["CAMPAIGN_END_DATE_HOLD", "STOPPED"],
        }.get(status, ["STOPPED"])
        theme = _THEMES[(number + account_id) % len(_THEMES)]
        record: dict[str, Any] = {
            "storyDeliveryEnabled": False,
            "targetingCriteria": targeting_criteria(campaign_id, locale, geo),
            "pacingStrategy": rng.choice(("LIFETIME", "ACCELERATED")),
            "locale": {"country": locale[0], "language": locale[1]},
            "type": template.type,
            "optimizationTargetType": template.optimization,
            "runSchedule": {"start": epoch_ms(start, rng.randrange(0, 86_400))},
            "costType": template.cost_type,
            "creativeSelection": rng.choice(("OPTIMIZED", "ROUND_ROBIN")),
            "offsiteDeliveryEnabled": template.type == "SPONSORED_UPDATES" and rng.random() < 0.6,
            "id": campaign_id,
            "audienceExpansionEnabled": rng.random() < 0.5,
            "test": False,
            "format": template.format,
            "servingStatuses": serving,
            "version": {"versionTag": str(rng.randint(1, 30))},
            "objectiveType": template.objective,
            "associatedEntity": account["reference"],
            "offsitePreferences": {
                "iabCategories": {"exclude": []},
                "publisherRestrictionFiles": {"include": [], "exclude": []},
            },
            "campaignGroup": f"urn:li:sponsoredCampaignGroup:{group['id']}",
            "dailyBudget": {
                "currencyCode": currency,
                "amount": str(rng.choice((50, 75, 100, 150, 250))),
            },
            "unitCost": {"currencyCode": currency, "amount": f"{rng.randint(200, 1500) / 100:.2f}"},
            "name": f"{theme} - {template.objective.replace('_', ' ').title()} {number + 1}",
            "account": f"urn:li:sponsoredAccount:{account_id}",
            "status": status,
            "changeAuditStamps": {
                "created": {"time": epoch_ms(start - timedelta(days=rng.randint(1, 10)))},
                "lastModified": {
                    "time": self.stamp(min(self.today, start + timedelta(days=rng.randint(0, 60))))
                },
            },
        }
        if end is not None:
            record["runSchedule"]["end"] = epoch_ms(end, 86_399)
        if number % 3 == 0:
            record["totalBudget"] = {
                "currencyCode": currency,
                "amount": str(rng.choice((3000, 8000, 15000))),
            }
        self.campaigns.append(record)
        value_cents = rng.choice((2500, 4550, 9900, 12000, 30000))
        self.conversion_value[campaign_id] = value_cents * 10**10
        if self.size is None:
            count = rng.randint(5, 7)
        else:
            count = _share(self.size.creatives, self.size.campaigns, len(self.campaigns) - 1)
        for position in range(count):
            self.creative(record, group, template, status, start, serve_end, position)

    def schedule(self, status: str) -> tuple[date, date | None, date | None]:
        """(run start, run end, last serving day) for a campaign status."""
        rng, day = self.rng, self.day

        def span(low: int, high: int) -> int:  # days, stretched with a longer window
            return rng.randint(round(low * self.scale), round(high * self.scale))

        if status == "ACTIVE":
            end = day(span(15, 120)) if rng.random() < 0.5 else None
            return day(-span(20, 200)), end, self.today
        if status == "PAUSED":
            return day(-span(60, 200)), None, day(-span(3, 40))
        if status == "COMPLETED":
            end = day(-span(5, 60))
            return end - timedelta(days=span(40, 150)), end, end
        if status == "ARCHIVED":
            end = day(-span(70, 110))
            return end - timedelta(days=span(60, 180)), end, end
        if status == "DRAFT":
            return day(span(5, 30)), None, None
        end = day(-span(40, 80))  # CANCELED, REMOVED, PENDING_DELETION: ran earlier
        return day(-span(95, 118)), end, end

    def creative(
        self,
        campaign: dict[str, Any],
        group: dict[str, Any],
        template: _Template,
        status: str,
        start: date,
        serve_end: date | None,
        position: int,
        extra: bool = False,
    ) -> None:
        rng = self.rng
        creative_id = self.new_id(280_000_000, 300_000_000)
        urn = f"urn:li:sponsoredCreative:{creative_id}"
        kind = template.contents[position % len(template.contents)]
        created_day = start if position < 3 or extra else start + timedelta(days=rng.randint(0, 40))
        created_day = min(created_day, max(start, self.today))
        content, reference = self.content(kind, campaign)
        review = (
            "PENDING" if status == "DRAFT" else ("REJECTED" if rng.random() < 0.03 else "APPROVED")
        )
        intended = {"DRAFT": "DRAFT", "ARCHIVED": "ARCHIVED", "REMOVED": "ARCHIVED"}.get(
            status, "ACTIVE"
        )
        if intended == "ACTIVE" and position == 4:
            intended = "PAUSED"
        serving = status == "ACTIVE" and intended == "ACTIVE" and review == "APPROVED"
        record: dict[str, Any] = {
            "lastModifiedAt": self.stamp(
                min(self.today, created_day + timedelta(days=rng.randint(0, 30)))
            ),
            "lastModifiedBy": rng.choice(("urn:li:system:0", "urn:li:person:HRnXB4kIO7")),
            "content": content,
            "createdAt": self.stamp(created_day),
            "isTest": False,
            "createdBy": "urn:li:person:HRnXB4kIO7",
            "review": {"status": review},
            "isServing": serving,
            "campaign": f"urn:li:sponsoredCampaign:{campaign['id']}",
            "id": urn,
            "intendedStatus": intended,
            "account": campaign["account"],
        }
        if review == "REJECTED":
            record["review"]["rejectionReasons"] = ["LANDING_PAGE_UNAVAILABLE"]
        if not serving:
            record["servingHoldReasons"] = _hold_reasons(status, intended, review)
        if rng.random() < 0.3:
            record["name"] = f"{campaign['name'].split(' - ')[0]} ad {position + 1}"
        if template.objective == "LEAD_GENERATION" and kind != "adInMailContent":
            record["leadgenCallToAction"] = {
                "destination": f"urn:li:adForm:{rng.randrange(1_000_000, 9_999_999)}",
                "label": rng.choice(_CTA),
            }
        self.creatives.append(record)
        account_id = int(campaign["account"].rsplit(":", 1)[1])
        self.refs[urn] = CreativeRef(
            urn, campaign["id"], group["id"], account_id, template.type, reference
        )
        if serve_end is None or review != "APPROVED" or status == "DRAFT":
            return
        last = serve_end
        if intended == "PAUSED":
            last = min(last, self.day(-rng.randint(5, 50)))
        first = max(created_day, self.first_day).toordinal()
        profile = self.profile(template, kind, account_id, campaign["id"])
        self.plans.append((urn, first, min(last, self.today).toordinal(), profile))

    def content(self, kind: str, campaign: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        rng = self.rng
        if kind == "textAd":
            theme = campaign["name"].split(" - ")[0]
            slug = theme.lower().replace(" ", "-")
            return {
                "textAd": {
                    "headline": f"{theme}: try it free",
                    "description": f"See how teams use {theme} to save hours every week.",
                    "landingPage": f"https://example.com/{slug}?utm_source=linkedin",
                }
            }, None
        if kind == "video":
            tail = "".join(rng.choices(string.ascii_letters + string.digits, k=16))
            reference = f"urn:li:video:D{rng.randint(4, 5)}E10AQ{tail}"
        elif kind in ("share", "ugcPost"):
            number = rng.randrange(6_800_000_000_000_000_000, 7_400_000_000_000_000_000)
            reference = f"urn:li:{kind}:{number}"
        else:
            reference = f"urn:li:{kind}:{rng.randrange(100_000_000, 999_999_999)}"
        return {"reference": reference}, reference

    def profile(
        self, template: _Template, kind: str, account_id: int, campaign_id: int
    ) -> dict[str, Any]:
        rng = self.rng
        rate = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}[self.currency[account_id]]
        return {
            "type": template.type,
            "format": template.format,
            "objective": template.objective,
            "cost_type": template.cost_type,
            "kind": kind,
            "base": math.exp(rng.uniform(math.log(60), math.log(2600))),
            "ctr": rng.uniform(0.004, 0.013)
            if template.type == "SPONSORED_UPDATES"
            else rng.uniform(0.0008, 0.004),
            "cpm": int(rng.uniform(18, 65) * rate * 1_000_000),  # micros per 1000 impressions
            "cpc": int(rng.uniform(2.5, 12) * rate * 1_000_000),  # micros per click
            "cpv": int(rng.uniform(0.04, 0.3) * rate * 1_000_000),  # micros per view
            "usd_rate": USD_RATE_MICROS[self.currency[account_id]],
            "conversion_value": self.conversion_value[campaign_id],
            "viral": rng.random() < 0.5,
        }

    def top_up_creatives(self, minimum: int) -> None:
        """Add creatives to running campaigns until there are at least `minimum`."""
        by_id = {c["id"]: c for c in self.campaigns}
        groups = {g["id"]: g for g in self.groups}
        running = [c for c in self.campaigns if c["status"] == "ACTIVE"]
        index = 0
        while len(self.creatives) < minimum:
            campaign = by_id[running[index % len(running)]["id"]]
            template = next(
                t
                for t in _TEMPLATES
                if (t.type, t.format, t.objective, t.cost_type)
                == (
                    campaign["type"],
                    campaign["format"],
                    campaign["objectiveType"],
                    campaign["costType"],
                )
            )
            group = groups[int(campaign["campaignGroup"].rsplit(":", 1)[1])]
            start = datetime.fromtimestamp(campaign["runSchedule"]["start"] / 1000, UTC).date()
            self.creative(
                campaign, group, template, "ACTIVE", start, self.today, 5 + index, extra=True
            )
            index += 1


def _share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` spread evenly over `parts` (the first ones take the remainder)."""
    return total // parts + (1 if index < total % parts else 0)


def _hold_reasons(status: str, intended: str, review: str) -> list[str]:
    if review == "PENDING":
        return ["UNDER_REVIEW"]
    if review == "REJECTED":
        return ["CREATIVE_REJECTED"]
    if status in ("COMPLETED", "ARCHIVED", "CANCELED", "REMOVED", "PENDING_DELETION"):
        return ["CAMPAIGN_END_DATE_HOLD", "CAMPAIGN_STOPPED"]
    if status == "PAUSED":
        return ["CAMPAIGN_STOPPED"]
    return ["CREATIVE_STOPPED"] if intended != "ACTIVE" else []


def _simulate(rng: random.Random, first: int, last: int, profile: dict[str, Any]) -> Facts:
    """Daily non-zero metrics of one creative between two day ordinals (inclusive)."""
    facts: Facts = {}
    uniform, rand = rng.uniform, rng.random
    base, ctr, kind = profile["base"], profile["ctr"], profile["kind"]
    objective, fmt, ctype = profile["objective"], profile["format"], profile["type"]
    for ordinal in range(first, last + 1):
        if rand() < 0.07:
            continue  # a day without delivery: no row at all
        weekday = date.fromordinal(ordinal).weekday()
        impressions = min(5000, int(base * (0.55 if weekday >= 5 else 1.0) * uniform(0.5, 1.5)))
        if impressions <= 0:
            continue
        m: dict[str, int] = {}
        if ctype == "SPONSORED_INMAILS":
            sends = impressions
            opens = int(sends * uniform(0.35, 0.6))
            action, unit = int(opens * uniform(0.02, 0.06)), int(opens * uniform(0.0, 0.015))
            m.update(
                sends=sends, opens=opens, impressions=opens, actionClicks=action, adUnitClicks=unit
            )
            m["clicks"] = action + unit
            m["landingPageClicks"] = action
            m["leadGenerationMailContactInfoShares"] = int(action * uniform(0.1, 0.4))
            m["leadGenerationMailInterestedClicks"] = int(action * uniform(0.2, 0.5))
            m["oneClickLeads"] = m["leadGenerationMailContactInfoShares"]
            m["totalEngagements"] = m["clicks"]
        else:
            clicks = int(impressions * ctr * uniform(0.6, 1.4) + rand())
            m["impressions"], m["clicks"] = impressions, clicks
            if ctype == "TEXT_AD" or fmt == "SPOTLIGHT":
                m["landingPageClicks"] = clicks
                m["totalEngagements"] = clicks
            elif fmt == "FOLLOWER":
                m["follows"] = int(impressions * uniform(0.001, 0.006) + rand())
                m["companyPageClicks"] = clicks
                m["totalEngagements"] = clicks + m["follows"]
            else:
                website = objective in ("WEBSITE_VISIT", "WEBSITE_CONVERSION")
                m["landingPageClicks"] = int(
                    clicks * (uniform(0.55, 0.85) if website else uniform(0.1, 0.35))
                )
                m["companyPageClicks"] = int(clicks * uniform(0.0, 0.08))
                m["textUrlClicks"] = int(clicks * uniform(0.0, 0.05))
                likes = int(impressions * uniform(0.0005, 0.004) + rand())
                m["likes"] = likes
                m["reactions"] = likes + int(likes * uniform(0.0, 0.3))
                m["comments"] = int(impressions * uniform(0.0, 0.0006) + rand() * 0.6)
                m["commentLikes"] = int(m["comments"] * uniform(0.0, 1.5))
                m["shares"] = int(impressions * uniform(0.0, 0.0004) + rand() * 0.5)
                m["follows"] = int(impressions * uniform(0.0, 0.0006) + rand() * 0.5)
                m["otherEngagements"] = int(clicks * uniform(0.0, 0.15))
                m["totalEngagements"] = (clicks + m["reactions"] + m["comments"] + m["shares"]
                                         + m["follows"] + m["otherEngagements"])  # fmt: skip
                if kind == "video" or fmt == "SINGLE_VIDEO":
                    starts = int(impressions * uniform(0.3, 0.6))
                    views = int(starts * uniform(0.5, 0.8))
                    q1 = int(starts * uniform(0.6, 0.8))
                    mid = int(q1 * uniform(0.6, 0.8))
                    q3 = int(mid * uniform(0.6, 0.85))
                    m.update(videoStarts=starts, videoViews=views, videoFirstQuartileCompletions=q1,
                             videoMidpointCompletions=mid, videoThirdQuartileCompletions=q3,
                             videoCompletions=int(q3 * uniform(0.6, 0.9)),
                             fullScreenPlays=int(starts * uniform(0.0, 0.05)))  # fmt: skip
                if fmt == "CAROUSEL":
                    m["cardImpressions"] = impressions * 3 + int(impressions * uniform(0.0, 1.0))
                    m["cardClicks"] = int(clicks * uniform(0.6, 0.95))
                if fmt == "SPONSORED_UPDATE_NATIVE_DOCUMENT":
                    d1 = int(impressions * uniform(0.05, 0.15))
                    d2 = int(d1 * uniform(0.5, 0.8))
                    d3 = int(d2 * uniform(0.5, 0.8))
                    m.update(documentFirstQuartileCompletions=d1, documentMidpointCompletions=d2,
                             documentThirdQuartileCompletions=d3,
                             documentCompletions=int(d3 * uniform(0.5, 0.9)),
                             downloadClicks=int(d1 * uniform(0.0, 0.1)))  # fmt: skip
                if objective == "LEAD_GENERATION":
                    form_opens = int(clicks * uniform(0.2, 0.5) + rand())
                    leads = int(form_opens * uniform(0.1, 0.4) + rand() * 0.5)
                    m.update(oneClickLeadFormOpens=form_opens, oneClickLeads=leads,
                             validWorkEmailLeads=int(leads * uniform(0.3, 0.8)))  # fmt: skip
                if profile["viral"] and m["shares"]:
                    viral = m["shares"] * int(uniform(10, 60))
                    m.update(viralImpressions=viral, viralClicks=int(viral * uniform(0.0, 0.02)),
                             viralLikes=int(viral * uniform(0.0, 0.01)))  # fmt: skip
                    m["viralTotalEngagements"] = m["viralClicks"] + m["viralLikes"]
        if objective in ("WEBSITE_CONVERSION", "WEBSITE_VISIT", "LEAD_GENERATION"):
            rate = 0.06 if objective == "WEBSITE_CONVERSION" else 0.01
            post_click = int(m.get("landingPageClicks", 0) * uniform(0.0, rate * 2) + rand() * 0.7)
            post_view = int(impressions * uniform(0.0, rate / 60) + rand() * 0.4)
            if post_click + post_view:
                m["externalWebsitePostClickConversions"] = post_click
                m["externalWebsitePostViewConversions"] = post_view
                m["externalWebsiteConversions"] = post_click + post_view
                m["conversionValueInLocalCurrency"] = (post_click + post_view) * profile[
                    "conversion_value"
                ]
        cost_type = profile["cost_type"]
        if cost_type == "CPM":
            base_cost = m.get("impressions", 0) * profile["cpm"] // 1000
        elif cost_type == "CPC":
            base_cost = m.get("clicks", 0) * profile["cpc"]
        else:
            base_cost = m.get("videoViews", 0) * profile["cpv"]
        if base_cost:
            cost = base_cost + rng.randrange(0, 10_000)  # micros: up to 6 decimals
            m["costInLocalCurrency"] = cost * MICRO_TO_SCALE
            m["costInUsd"] = cost * profile["usd_rate"]
        facts[ordinal] = {k: v for k, v in m.items() if v}
    return facts


def generate(seed: int, today: date, size: Size | None = None) -> Advertiser:
    """The deterministic advertiser for a seed, with a data window ending on `today`.

    Without a size: three serving accounts and a test account, 12 campaigns each, at least 205
    creatives and WINDOW_DAYS days."""
    return _Builder(seed, today, size).build()
