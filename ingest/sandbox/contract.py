"""The part of LinkedIn's documented Marketing API contract that the sandbox emulates, as data.

This is the sandbox's own statement of the contract, kept independent of the ingestion client
so that a wrong limit, pivot name or metric type in the client is caught by the test comparing
the two (tests/ingest/sandbox/test_client_matches_contract.py) instead of being served back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# -- adAnalytics metrics ----------------------------------------------------------------------

# How a metric value travels in a response element. Counts are Rest.li `long`s: JSON integers.
# Money and a few lead/job metrics are Rest.li `BigDecimal`s: JSON strings holding an exact
# decimal ("209.449"), never JSON numbers.
WireType = Literal["integer", "decimal"]


@dataclass(frozen=True)
class MetricSpec:
    """One adAnalytics metric field as LinkedIn documents it."""

    name: str
    wire: WireType
    member_pivots: bool  # served for the MEMBER_* (professional demographic) pivots
    max_range_days: int | None = None  # served only when the requested range is this short


# Every metric field, in the families LinkedIn groups them by.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "delivery and engagement": (
        "impressions", "clicks", "costInLocalCurrency", "costInUsd", "landingPageClicks",
        "companyPageClicks", "totalEngagements", "otherEngagements", "textUrlClicks",
        "reactions", "likes", "comments", "commentLikes", "shares", "follows", "fullScreenPlays",
        "actionClicks", "adUnitClicks", "downloadClicks", "cardClicks", "cardImpressions",
        "approximateMemberReach",
    ),
    "conversions and leads": (
        "externalWebsiteConversions", "externalWebsitePostClickConversions",
        "externalWebsitePostViewConversions", "conversionValueInLocalCurrency", "oneClickLeads",
        "oneClickLeadFormOpens", "qualifiedLeads", "costPerQualifiedLead", "validWorkEmailLeads",
        "talentLeads", "jobApplications", "jobApplyClicks", "postClickJobApplications",
        "postClickJobApplyClicks", "postClickRegistrations", "postViewJobApplications",
        "postViewJobApplyClicks", "postViewRegistrations", "registrations", "subscriptionClicks",
    ),
    "messaging": (
        "sends", "opens", "leadGenerationMailContactInfoShares",
        "leadGenerationMailInterestedClicks", "headlineClicks", "headlineImpressions",
    ),
    "video and document": (
        "videoStarts", "videoViews", "videoFirstQuartileCompletions", "videoMidpointCompletions",
        "videoThirdQuartileCompletions", "videoCompletions", "documentCompletions",
        "documentFirstQuartileCompletions", "documentMidpointCompletions",
        "documentThirdQuartileCompletions",
    ),
    "viral (organic reach of sponsored content)": (
        "viralImpressions", "viralClicks", "viralLikes", "viralComments", "viralCommentLikes",
        "viralShares", "viralFollows", "viralReactions", "viralCompanyPageClicks",
        "viralLandingPageClicks", "viralTotalEngagements", "viralOtherEngagements",
        "viralCardClicks", "viralCardImpressions", "viralFullScreenPlays", "viralDownloadClicks",
        "viralVideoStarts", "viralVideoViews", "viralVideoFirstQuartileCompletions",
        "viralVideoMidpointCompletions", "viralVideoThirdQuartileCompletions",
        "viralVideoCompletions", "viralDocumentCompletions",
        "viralDocumentFirstQuartileCompletions", "viralDocumentMidpointCompletions",
        "viralDocumentThirdQuartileCompletions", "viralExternalWebsiteConversions",
        "viralExternalWebsitePostClickConversions", "viralExternalWebsitePostViewConversions",
        "viralOneClickLeads", "viralOneClickLeadFormOpens", "viralJobApplications",
        "viralJobApplyClicks", "viralPostClickJobApplications", "viralPostClickJobApplyClicks",
        "viralPostClickRegistrations", "viralPostViewJobApplications",
        "viralPostViewJobApplyClicks", "viralPostViewRegistrations", "viralRegistrations",
        "viralSubscriptionClicks",
    ),
}  # fmt: skip

# The BigDecimal metrics (JSON strings); every other metric is a long (JSON integer).
_BIG_DECIMALS = frozenset({
    "costInLocalCurrency", "costInUsd", "conversionValueInLocalCurrency", "costPerQualifiedLead",
    "jobApplications", "jobApplyClicks", "postClickJobApplications", "postClickJobApplyClicks",
    "postClickRegistrations", "postViewJobApplications", "postViewJobApplyClicks",
    "postViewRegistrations", "registrations", "viralJobApplications", "viralJobApplyClicks",
    "viralPostClickJobApplications", "viralPostClickJobApplyClicks",
    "viralPostClickRegistrations", "viralPostViewJobApplications", "viralPostViewJobApplyClicks",
    "viralPostViewRegistrations", "viralRegistrations",
})  # fmt: skip

# Served for the entity pivots only: a row under a MEMBER_* pivot simply lacks these fields.
_ENTITY_PIVOTS_ONLY = frozenset({
    "approximateMemberReach", "cardClicks", "cardImpressions", "conversionValueInLocalCurrency",
    "viralCardClicks", "viralCardImpressions",
})  # fmt: skip

# Reach is modelled, not summed, and is served only for ranges of at most 92 days.
REACH_MAX_DAYS = 92
_RANGE_LIMITED = {"approximateMemberReach": REACH_MAX_DAYS}

METRICS: tuple[MetricSpec, ...] = tuple(
    MetricSpec(
        name,
        "decimal" if name in _BIG_DECIMALS else "integer",
        name not in _ENTITY_PIVOTS_ONLY,
        _RANGE_LIMITED.get(name),
    )
    for family in _FAMILIES.values()
    for name in family
)
METRIC_NAMES = frozenset(m.name for m in METRICS)
DECIMAL_METRICS = frozenset(m.name for m in METRICS if m.wire == "decimal")
ENTITY_PIVOT_ONLY_METRICS = frozenset(m.name for m in METRICS if not m.member_pivots)
RANGE_LIMITED_METRICS = {m.name: m.max_range_days for m in METRICS if m.max_range_days}
# The metrics whose values add up over days and over the creatives of a campaign or account.
ADDITIVE_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.max_range_days is None)

# Documented metrics the sandbox does not emulate: like reach they are served only for short
# ranges and some pivots, and they cannot be summed. A request for one is refused.
NOT_EMULATED_METRICS = frozenset({"averageDwellTime", "audiencePenetration"})

# -- adAnalytics request ------------------------------------------------------------------------

FINDERS = ("analytics", "statistics")  # one `pivot`; up to three `pivots`
MAX_STATISTICS_PIVOTS = 3
ENTITY_PIVOTS = ("ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE")
# Breakdown pivots (breakdowns.py): conversion rules, and the device an impression was served on.
BREAKDOWN_PIVOTS = ("CONVERSION", "IMPRESSION_DEVICE_TYPE")
# Professional demographic pivots: analytics finder only, values approximate and a day late.
MEMBER_PIVOTS = frozenset({
    "MEMBER_COMPANY", "MEMBER_COMPANY_SIZE", "MEMBER_COUNTRY_V2", "MEMBER_REGION_V2",
    "MEMBER_INDUSTRY", "MEMBER_JOB_FUNCTION", "MEMBER_JOB_TITLE", "MEMBER_SENIORITY",
})  # fmt: skip
# Documented pivots the sandbox does not emulate (a request for one is refused).
NOT_EMULATED_PIVOTS = frozenset({
    "COMPANY", "SHARE", "CONVERSATION_NODE", "CONVERSATION_NODE_OPTION_INDEX",
    "SERVING_LOCATION", "CARD_INDEX", "PLACEMENT_NAME",
})  # fmt: skip
GRANULARITIES = ("DAILY", "MONTHLY", "YEARLY", "ALL")

# Facet parameter -> the URN kind its values must have (None: any `urn:li:` value).
FACETS: dict[str, str | None] = {
    "accounts": "sponsoredAccount",
    "campaigns": "sponsoredCampaign",
    "creatives": "sponsoredCreative",
    "campaignGroups": "sponsoredCampaignGroup",
    "shares": None,
    "companies": "organization",
}
# sortBy.field -> the metric it sorts on.
SORT_FIELDS = {
    "COST_IN_LOCAL_CURRENCY": "costInLocalCurrency",
    "IMPRESSIONS": "impressions",
    "CLICKS": "clicks",
    "ONE_CLICK_LEADS": "oneClickLeads",
    "OPENS": "opens",
    "SENDS": "sends",
    "EXTERNAL_WEBSITE_CONVERSIONS": "externalWebsiteConversions",
}

# `fields` is a projection of at most 20 names, and dateRange and pivotValues count among them.
ROW_FIELDS = ("dateRange", "pivotValues")
MAX_FIELDS_PER_REQUEST = 20
# Without `fields`, a row carries impressions and clicks (and its date range and pivot values).
DEFAULT_FIELDS = ("impressions", "clicks", *ROW_FIELDS)
# Removed from the projection; a request naming them is refused (pivotValues replaced them).
REMOVED_FIELDS = frozenset({"pivot", "pivotValue"})

# -- adAnalytics response -----------------------------------------------------------------------

# No paging: a response holds at most this many elements and is cut silently (no error, no flag).
ROW_CAP = 15_000
# The sum of fields x rows over all requests in a rolling five-minute window; past it, 429.
DATA_VOLUME_LIMIT = 45_000_000
DATA_VOLUME_WINDOW_SECONDS = 300.0
# Member-pivot privacy: a value with fewer impressions is dropped, and only the largest values
# are kept.
MEMBER_MIN_IMPRESSIONS = 3
MEMBER_TOP_VALUES = 100

# -- entity finders -----------------------------------------------------------------------------

# Every status a campaign can have; a campaign group can have all of them but COMPLETED.
CAMPAIGN_STATUSES = frozenset({
    "ACTIVE", "PAUSED", "COMPLETED", "DRAFT", "ARCHIVED", "CANCELED", "REMOVED", "PENDING_DELETION",
})  # fmt: skip
CAMPAIGN_GROUP_STATUSES = CAMPAIGN_STATUSES - {"COMPLETED"}
# Statuses a search without a status criterion leaves out: a client wanting every entity must
# name every status.
HIDDEN_WITHOUT_STATUS_FILTER = frozenset({"REMOVED", "PENDING_DELETION"})
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_CREATIVE_PAGE_SIZE = 100
# The conversions finder (q=account) pages by offset: start and count, paging.total.
DEFAULT_CONVERSIONS_COUNT = 10
MAX_CONVERSIONS_COUNT = 500

# -- Posts API ----------------------------------------------------------------------------------

# The URN types the Posts API serves; any other (an InMail's adInMailContent) is INVALID_URN_TYPE.
POST_URN_TYPES = ("share", "ugcPost", "post")
# A BATCH_GET (`ids=List(...)`) names at most this many posts.
MAX_POSTS_PER_BATCH_GET = 100

assert len(METRIC_NAMES) == len(METRICS), "a metric is listed twice"
assert _BIG_DECIMALS <= METRIC_NAMES, "a BigDecimal metric missing from the families"
assert _ENTITY_PIVOTS_ONLY <= METRIC_NAMES, "an entity-pivot-only metric missing"
