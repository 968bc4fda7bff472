"""Constants of the LinkedIn Marketing API as this source uses it, and the gold metric map.

The metric catalogue lists every adAnalytics metric LinkedIn documents for API version 202610
with its wire type, except the three left out below. The gold metric map (gold column -> the
metric it sums) is stated once, as the dbt variable `gold_metrics` in dbt_project/dbt_project.yml;
`GOLD_METRICS` is read from there, and the metrics of the demographic tables follow from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_BASE_URL = "https://api.linkedin.com/rest"
DEFAULT_OAUTH_URL = "https://www.linkedin.com/oauth/v2"
DEFAULT_API_VERSION = "202610"
DEFAULT_LOOKBACK_START_DAYS = 365
DEFAULT_ATTRIBUTION_WINDOW_DAYS = 30
# LinkedIn restates conversions up to 30 days after the day (the longest post-click window);
# a shorter attribution window leaves older loaded days possibly stale, which a run reports.
RESTATEMENT_DAYS = 30
DEFAULT_CONCURRENCY = 4

RESTLI_PROTOCOL_VERSION = "2.0.0"
MAX_QUERY_STRING_LENGTH = 4000  # past this the client tunnels the query through POST
MAX_FIELDS_PER_REQUEST = 20  # dateRange and pivotValues count
METRICS_PER_CHUNK = MAX_FIELDS_PER_REQUEST - 2
ANALYTICS_ROW_CAP = 15_000  # adAnalytics silently truncates a response at this many elements
ENTITY_PAGE_SIZE = 100  # creatives reject pageSize > 100; the same size keeps every finder simple
POSTS_BATCH_SIZE = 100  # ids per Posts API BATCH_GET
POST_URN_TYPES = ("share", "ugcPost", "post")  # content references the Posts API serves
DATA_LIMIT_WAIT_SECONDS = 300  # the "45 million metric values" 429 is a rolling 5-minute window

# Every status, so that the search finders also return archived and removed entities.
CAMPAIGN_GROUP_STATUSES = (
    "ACTIVE", "ARCHIVED", "CANCELED", "DRAFT", "PAUSED", "PENDING_DELETION", "REMOVED",
)  # fmt: skip
CAMPAIGN_STATUSES = (
    "ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT", "PENDING_DELETION", "REMOVED",
)  # fmt: skip

MetricKind = Literal["count", "decimal"]


@dataclass(frozen=True)
class Metric:
    """One adAnalytics field: its API name, its bronze column and how it is typed on the wire."""

    api_name: str
    kind: MetricKind
    demographic: bool = True  # False: LinkedIn serves it for non-demographic pivots only

    @property
    def column(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.api_name).lower()


def _counts(*names: str, demographic: bool = True) -> list[Metric]:
    return [Metric(name, "count", demographic) for name in names]


def _decimals(*names: str, demographic: bool = True) -> list[Metric]:
    return [Metric(name, "decimal", demographic) for name in names]


# BigDecimal metrics arrive as JSON strings ("209.449"); counts as JSON integers.
METRICS: tuple[Metric, ...] = (
    *_counts("impressions", "clicks"),
    *_decimals("costInLocalCurrency", "costInUsd"),
    *_counts(
        "landingPageClicks", "companyPageClicks", "totalEngagements", "otherEngagements",
        "textUrlClicks", "reactions", "likes", "comments", "commentLikes", "shares", "follows",
        "fullScreenPlays", "actionClicks", "adUnitClicks", "downloadClicks",
    ),
    *_counts("cardClicks", "cardImpressions", demographic=False),
    *_counts(
        "externalWebsiteConversions", "externalWebsitePostClickConversions",
        "externalWebsitePostViewConversions",
    ),
    *_decimals("conversionValueInLocalCurrency", demographic=False),
    *_counts("oneClickLeads", "oneClickLeadFormOpens", "qualifiedLeads"),
    *_decimals("costPerQualifiedLead"),
    *_counts("validWorkEmailLeads", "talentLeads"),
    *_decimals(
        "jobApplications", "jobApplyClicks", "postClickJobApplications", "postClickJobApplyClicks",
        "postClickRegistrations", "postViewJobApplications", "postViewJobApplyClicks",
        "postViewRegistrations", "registrations",
    ),
    *_counts("subscriptionClicks"),
    *_counts(
        "sends", "opens", "leadGenerationMailContactInfoShares",
        "leadGenerationMailInterestedClicks", "headlineClicks", "headlineImpressions",
    ),
    *_counts(
        "videoStarts", "videoViews", "videoFirstQuartileCompletions", "videoMidpointCompletions",
        "videoThirdQuartileCompletions", "videoCompletions", "documentCompletions",
        "documentFirstQuartileCompletions", "documentMidpointCompletions",
        "documentThirdQuartileCompletions",
    ),
    *_counts(
        "viralImpressions", "viralClicks", "viralLikes", "viralComments", "viralCommentLikes",
        "viralShares", "viralFollows", "viralReactions", "viralCompanyPageClicks",
        "viralLandingPageClicks", "viralTotalEngagements", "viralOtherEngagements",
    ),
    *_counts("viralCardClicks", "viralCardImpressions", demographic=False),
    *_counts(
        "viralFullScreenPlays", "viralDownloadClicks", "viralVideoStarts", "viralVideoViews",
        "viralVideoFirstQuartileCompletions", "viralVideoMidpointCompletions",
        "viralVideoThirdQuartileCompletions", "viralVideoCompletions",
        "viralDocumentCompletions", "viralDocumentFirstQuartileCompletions",
        "viralDocumentMidpointCompletions", "viralDocumentThirdQuartileCompletions",
        "viralExternalWebsiteConversions", "viralExternalWebsitePostClickConversions",
        "viralExternalWebsitePostViewConversions", "viralOneClickLeads",
        "viralOneClickLeadFormOpens",
    ),
    *_decimals(
        "viralJobApplications", "viralJobApplyClicks", "viralPostClickJobApplications",
        "viralPostClickJobApplyClicks", "viralPostClickRegistrations",
        "viralPostViewJobApplications", "viralPostViewJobApplyClicks",
        "viralPostViewRegistrations", "viralRegistrations",
    ),
    *_counts("viralSubscriptionClicks"),
)  # fmt: skip

# Documented metrics this source does not request, and why:
# approximateMemberReach, averageDwellTime and audiencePenetration are served only for date
# ranges of at most 92 days (and not for every pivot) and cannot be summed over days or entities.
EXCLUDED_METRICS = ("approximateMemberReach", "averageDwellTime", "audiencePenetration")

METRICS_BY_NAME = {metric.api_name: metric for metric in METRICS}

DBT_PROJECT_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


@dataclass(frozen=True)
class GoldMetric:
    """One metric column of gold: the adAnalytics metric it sums and how it is typed."""

    column: str
    api_metric: str
    kind: Literal["count", "money"]
    member_pivots: bool  # False: LinkedIn does not serve the metric for demographic pivots
    description: str
    device_pivot: bool = True  # False: not served with IMPRESSION_DEVICE_TYPE (conversions)


def load_gold_metrics(path: Path = DBT_PROJECT_YML) -> dict[str, GoldMetric]:
    """The gold metric map (`vars.gold_metrics` of the dbt project), in gold column order."""
    entries: dict[str, Any] = yaml.safe_load(path.read_text())["vars"]["gold_metrics"]
    return {
        column: GoldMetric(
            column=column,
            api_metric=entry["api_metric"],
            kind=entry["kind"],
            member_pivots=entry.get("member_pivots", True),
            description=" ".join(str(entry.get("description", "")).split()),
            device_pivot=entry.get("device_pivot", True),
        )
        for column, entry in entries.items()
    }


GOLD_METRICS = load_gold_metrics()

# The demographic tables ask only for the metrics gold uses that LinkedIn serves for member pivots.
DEMOGRAPHIC_METRICS: tuple[str, ...] = tuple(
    metric.api_metric for metric in GOLD_METRICS.values() if metric.member_pivots
)

# bronze table suffix -> adAnalytics pivot
DEMOGRAPHIC_PIVOTS: dict[str, str] = {
    "company": "MEMBER_COMPANY",
    "company_size": "MEMBER_COMPANY_SIZE",
    "country": "MEMBER_COUNTRY_V2",
    "region": "MEMBER_REGION_V2",
    "industry": "MEMBER_INDUSTRY",
    "job_function": "MEMBER_JOB_FUNCTION",
    "job_title": "MEMBER_JOB_TITLE",
    "seniority": "MEMBER_SENIORITY",
}

assert len(METRICS) == len(METRICS_BY_NAME), "duplicate metric in the catalogue"
assert all(METRICS_BY_NAME[name].demographic for name in DEMOGRAPHIC_METRICS)
assert all(
    METRICS_BY_NAME[metric.api_metric].kind == ("count" if metric.kind == "count" else "decimal")
    for metric in GOLD_METRICS.values()
), "a gold metric's kind disagrees with the catalogue"
