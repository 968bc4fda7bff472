"""The /rest routes: LinkedIn's common checks in their order, then the finders they reach."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from .analytics import AnalyticsEngine
from .analytics_request import parse_request
from .breakdowns import CONVERSION_PIVOT, conversion_rules
from .config import SandboxConfig
from .contract import DEFAULT_CONVERSIONS_COUNT, MAX_CONVERSIONS_COUNT
from .data import Advertiser
from .entities import EntityFinders
from .errors import (
    access_denied,
    bad_request,
    legacy_error,
    missing_parameter,
    restli_error,
)
from .faults import Clock, DailyQuota, DataVolume, FaultInjector
from .oauth import TokenStore
from .posts import PostsApi
from .responses import Response
from .restli import Query, parse_query

VERSION_HEADER = re.compile(r"^(\d{6})(?:\.\d{2})?$")  # YYYYMM, optionally with a revision
CHILD_RESOURCES = ("adCampaignGroups", "adCampaigns", "creatives")
ANALYTICS_ENVELOPE_PAGING = {"start": 0, "count": 10, "links": []}  # adAnalytics never pages


@dataclass
class RestApi:
    """Answers /rest requests over one advertiser; counts analytics rows through count_rows."""

    advertiser: Advertiser
    clock: Clock
    tokens: TokenStore
    faults: FaultInjector
    quota: DailyQuota
    volume: DataVolume
    count_rows: Callable[[int], None]

    def __post_init__(self) -> None:
        self.entities = EntityFinders(self.advertiser)
        self.engine = AnalyticsEngine(self.advertiser)
        self.posts = PostsApi(self.advertiser)

    def answer(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        config: SandboxConfig,
    ) -> tuple[Response, str | None]:
        """(the answer, the fault injected if any): tunnelling, token, version, quota, fault."""
        override = (headers.get("X-HTTP-Method-Override") or "").upper()
        if method == "POST" and override == "GET":
            tunnelled = body.decode("utf-8", "replace").strip()
            query = "&".join(p for p in (query, tunnelled) if p)
        elif method != "GET":
            raise legacy_error(405, f"Method {method} is not supported by the sandbox on {path}")
        self.tokens.authorize(
            headers.get("Authorization"),
            self.clock.now(),
            revoked=config.token_revoked,
            max_calls=config.token_expires_after_calls,
        )
        version = check_version(headers.get("LinkedIn-Version"), config.active_versions)
        parts = (
            [unquote(p) for p in path[len("/rest/") :].split("/")]
            if path.startswith("/rest/")
            else [""]
        )
        if parts == ["adAnalytics"]:
            self.quota.take(config.daily_quota_calls)
        fault, error = self.faults.inject(config)
        if error is not None:
            return Response.error(error), fault
        if fault == "drop":
            return Response(drop=True), fault
        return self._route(parts, parse_query(query), version, config), fault

    def _route(
        self, parts: list[str], query: Query, version: str, config: SandboxConfig
    ) -> Response:
        entities = self.entities
        if parts == ["adAnalytics"]:
            return self._analytics(query, config, version)
        if parts[0] == "posts":
            return Response.json(self.posts.answer(parts, query, version, scope=config.posts_scope))
        if parts == ["conversions"]:
            return self._conversions(query, config, version)
        if not parts or parts[0] != "adAccounts" or len(parts) > 4:
            raise legacy_error(404, f"No resource found at /rest/{'/'.join(parts)}")
        if len(parts) == 1:
            return Response.json(entities.search_accounts(query, config))
        if not parts[1].isdigit():
            raise bad_request(f"Invalid key '{parts[1]}' for resource adAccounts")
        account_id = int(parts[1])
        if account_id in config.forbidden_account_ids:
            resource = "adAccounts" if len(parts) == 2 else parts[2]
            method = "GET" if len(parts) in (2, 4) else "FINDER"
            raise access_denied(f"{resource}.{method}", version)
        if len(parts) == 2:
            return Response.json(entities.get_account(account_id, config))
        kind = parts[2]
        if kind not in CHILD_RESOURCES:
            raise legacy_error(404, f"No resource found at /rest/{'/'.join(parts)}")
        if len(parts) == 4:
            return Response.json(entities.get_child(account_id, kind, parts[3], config))
        if kind == "adCampaignGroups":
            return Response.json(entities.search_groups(account_id, query, config))
        if kind == "adCampaigns":
            return Response.json(entities.search_campaigns(account_id, query, config))
        return Response.json(entities.search_creatives(account_id, query, config))

    def _conversions(self, query: Query, config: SandboxConfig, version: str) -> Response:
        """The conversions finder by account (q=account), paged by offset (start, count)."""
        if query.get("q") != "account":
            raise bad_request(f"Invalid value '{query.get('q')}' for parameter 'q'")
        if config.conversions_denied:
            raise access_denied("conversions.FINDER-account", version)
        account = query.get("account")
        if account is None:
            raise missing_parameter("account")
        prefix = "urn:li:sponsoredAccount:"
        account_id = str(account)[len(prefix) :]
        if not str(account).startswith(prefix) or not account_id.isdigit():
            raise bad_request(f"Invalid URN '{account}' in parameter 'account'")
        if int(account_id) in config.forbidden_account_ids:
            raise access_denied("conversions.FINDER-account", version)
        if int(account_id) not in self.advertiser.currency:
            return Response.json({"elements": [], "paging": {"start": 0, "count": 0, "total": 0}})
        try:
            start = int(query.get("start") or 0)
            count = int(query.get("count") or DEFAULT_CONVERSIONS_COUNT)
        except (TypeError, ValueError) as exc:
            raise bad_request("Invalid value for parameter 'start' or 'count'") from exc
        if start < 0 or not 1 <= count <= MAX_CONVERSIONS_COUNT:
            raise bad_request("Invalid value for parameter 'start' or 'count'")
        rules = conversion_rules(self.advertiser, int(account_id))
        page = rules[start : start + count]
        paging = {"start": start, "count": count, "total": len(rules), "links": []}
        return Response.json({"elements": page, "paging": paging})

    def _analytics(self, query: Query, config: SandboxConfig, version: str) -> Response:
        request = parse_request(query)
        for pivot in request.pivots:
            if pivot in config.unknown_pivots:
                raise bad_request(f"Invalid value '{pivot}' for parameter 'pivots'")
            if pivot == CONVERSION_PIVOT and config.conversions_denied:
                raise access_denied("adAnalytics.FINDER-statistics", version)
        rows = self.engine.rows(
            request,
            forbidden=frozenset(config.forbidden_account_ids),
            row_cap=config.row_cap,
            noise=config.demographic_noise,
            extra_fields=config.extra_fields,
            money_tails=config.money_tails,
            creative_gaps=config.creative_gaps,
        )
        self.volume.charge(
            len(request.fields) * len(rows),
            config.data_volume_limit,
            config.data_volume_window_seconds,
        )
        self.count_rows(len(rows))
        return Response.json({"paging": ANALYTICS_ENVELOPE_PAGING, "elements": rows})


def check_version(header: str | None, active_versions: tuple[str, ...]) -> str:
    """The YYYYMM of a LinkedIn-Version header; 400 when missing or malformed, 426 if inactive."""
    if header is None or not header.strip():
        raise restli_error(
            400,
            "VERSION_MISSING",
            "A version must be present. "
            "Please specify a version by adding the Linkedin-Version header.",
        )
    match = VERSION_HEADER.match(header.strip())
    if match is None:
        raise restli_error(
            400, "INVALID_VERSION", f"Invalid version format '{header.strip()}'; expected YYYYMM"
        )
    version = match.group(1)
    if version not in active_versions:
        raise restli_error(
            426, "NONEXISTENT_VERSION", f"Requested version {version}01 is not active"
        )
    return version
