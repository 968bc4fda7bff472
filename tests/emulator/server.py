"""HTTP front of the emulator: routing, the common header checks, entity finders with cursor
paging, adAnalytics, and the `Emulator` context manager that runs it all on a loopback port.

Choices where LinkedIn's documentation is silent:
* checks run in this order: method (405), Authorization (401), LinkedIn-Version (400/426), route;
* without `X-Restli-Protocol-Version: 2.0.0` values are read as Rest.li 1.0 (plain strings), so
  `search=(...)` or `List(...)` then fail validation with 400;
* cursor finders serve at most `page_cap` entities per page whatever `pageSize` asks for, and the
  first, third, ... page is deliberately short (half size) when more entities follow; the last page
  has no `metadata` object at all; tokens are opaque, bound to the resource path, and a foreign
  or corrupted token is a 400; `pageSize` above 1000 (above 100 on creatives) is a 400;
* without a `status` search filter, REMOVED and PENDING_DELETION entities are not returned;
  unknown search keys are ignored;
* the OAuth token endpoint answers `invalid_request` to every grant: this emulator issues no
  refresh tokens (LinkedIn only issues them to approved partners), so a client must use the fixed
  access token; `introspectToken` reports that token as active;
* `GET /rest/conversions` and `GET /rest/posts/...` answer 403 ACCESS_DENIED (the token has no
  conversion-tracking or r_organization_social access).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from .analytics import Truth, answer, parse_request
from .data import Campaign, Creative, EmulatorConfig, World
from .restli import ApiError, RestliSyntaxError, parse_query

HIDDEN_STATUSES = ("REMOVED", "PENDING_DELETION")
JSON = dict[str, Any]


def _bad(message: str) -> ApiError:
    """400 in the newer envelope used by adAccounts, adCampaignGroups and adCampaigns."""
    return ApiError(
        400, message, "ILLEGAL_ARGUMENT", errorDetailType="com.linkedin.common.error.BadRequest"
    )


def _not_found(message: str = "Could not find entity") -> ApiError:
    return ApiError(404, message, "NOT_FOUND")


class Emulator:
    """A LinkedIn Marketing API look-alike on 127.0.0.1; use as a context manager."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.world = World(self.config)
        self.truth = Truth(self.world)
        self.first_day = self.world.first_day
        self.access_token = self.config.access_token
        self.refresh_token: str | None = None
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.analytics_requests: Counter[str] = Counter()
        self.requests: Counter[int] = Counter()
        self.base_url = self.oauth_url = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Emulator:
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.config.port), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/rest"
        self.oauth_url = f"http://127.0.0.1:{port}/oauth/v2"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def count(self, counter: Counter[Any], key: Any) -> None:
        with self._lock:
            counter[key] += 1

    # -- routing ---------------------------------------------------------------------------
    def dispatch(self, seg: list[str], params: JSON, version: str, query: str) -> JSON:
        w = self.world
        match seg:
            case ["adAccounts"]:
                self._finder(params, "search")
                return self._page(self._search(w.accounts, params), params, "adAccounts")
            case ["adAccounts", acct_id, *rest]:
                acct = self._account(acct_id)
                urn = f"urn:li:sponsoredAccount:{acct['id']}"
                return self._account_child(acct, urn, rest, params)
            case ["adAccountUsers"]:
                return self._users(params, query)
            case ["adAnalytics"]:
                req = parse_request(w, params, version)
                elements = answer(w, req, self.config.row_cap)
                self.count(self.analytics_requests, req.key)
                return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}
            case ["creatives", *_]:
                raise ApiError(
                    400,
                    "All api calls to creative endpoints have been modified to "
                    "include advertiser account id in the url path",
                )
            case ["conversions", *_] | ["posts", *_]:
                raise ApiError(
                    403,
                    f"Not enough permissions to access: {seg[0]}.GET.{version}01",
                    "ACCESS_DENIED",
                    serviceErrorCode=100,
                )
        raise _not_found(f"No resource found for path /rest/{'/'.join(seg)}")

    def _account_child(self, acct: JSON, urn: str, rest: list[str], params: JSON) -> JSON:
        w = self.world
        base = f"adAccounts/{acct['id']}"
        match rest:
            case []:
                return acct
            case ["adCampaignGroups", *one]:
                groups = [g for g in w.groups if g["account"] == urn]
                if one:
                    return self._one(groups, one[0], lambda g: str(g["id"]))
                self._finder(params, "search")
                return self._page(self._search(groups, params), params, base + "/groups")
            case ["adCampaigns", *one]:
                camps = [
                    campaign_json(w, c) for c in w.campaigns.values() if c.account_id == acct["id"]
                ]
                if one:
                    return self._one(camps, one[0], lambda c: str(c["id"]))
                self._finder(params, "search")
                return self._page(self._search(camps, params), params, base + "/campaigns")
            case ["creatives", *one]:
                crs = [
                    creative_json(w, c) for c in w.creatives.values() if c.account_id == acct["id"]
                ]
                if one:
                    return self._one(crs, one[0], lambda c: c["id"])
                self._finder(params, "criteria")
                return self._page(self._criteria(crs, params), params, base + "/creatives", 100)
        raise _not_found(f"No resource found for path /rest/{base}/{'/'.join(rest)}")

    @staticmethod
    def _finder(params: JSON, expected: str) -> None:
        if params.get("q") != expected:
            raise _bad(f"Parameter 'q' must be '{expected}'.")

    def _account(self, raw: str) -> JSON:
        for acct in self.world.accounts:
            if str(acct["id"]) == raw:
                return acct
        raise _not_found()

    @staticmethod
    def _one(items: list[JSON], raw: str, key: Any) -> JSON:
        for item in items:
            if key(item) == raw:
                return item
        raise _not_found()

    # -- finders ---------------------------------------------------------------------------
    @staticmethod
    def _values(search: JSON, key: str) -> list[str] | None:
        if key not in search:
            return None
        value = search[key]
        if not isinstance(value, dict) or not isinstance(value.get("values"), list):
            raise _bad(f"Invalid search criterion '{key}': expected (values:List(...)).")
        return [str(v) for v in value["values"]]

    def _search(self, items: list[JSON], params: JSON) -> list[JSON]:
        search = params.get("search", {})
        if not isinstance(search, dict):
            raise _bad("Invalid value for parameter 'search'.")
        statuses = self._values(search, "status")
        items = [
            i
            for i in items
            if (i["status"] in statuses if statuses else i["status"] not in HIDDEN_STATUSES)
        ]
        if (ids := self._values(search, "id")) is not None:
            wanted = {v.rsplit(":", 1)[-1] for v in ids}
            items = [i for i in items if str(i["id"]) in wanted]
        for key in ("campaignGroup", "type", "name"):
            if (values := self._values(search, key)) is not None:
                items = [i for i in items if i.get(key) in values]
        if "test" in search:
            items = [i for i in items if str(i["test"]).lower() == str(search["test"]).lower()]
        return sorted(items, key=lambda i: i["id"], reverse=params.get("sortOrder") == "DESCENDING")

    def _criteria(self, items: list[JSON], params: JSON) -> list[JSON]:
        for param, key in (
            ("campaigns", "campaign"),
            ("creatives", "id"),
            ("intendedStatuses", "intendedStatus"),
        ):
            if param in params:
                wanted = params[param] if isinstance(params[param], list) else [params[param]]
                items = [i for i in items if i[key] in wanted]
        number = lambda i: int(i["id"].rsplit(":", 1)[1])  # noqa: E731
        return sorted(items, key=number, reverse=params.get("sortOrder") == "DESCENDING")

    def _token(self, resource: str, offset: int, pages: int) -> str:
        raw = f"{resource}|{offset}|{pages}|{self.config.seed}"
        digest = hashlib.sha256(raw.encode()).hexdigest()[:10]
        return base64.urlsafe_b64encode(f"{offset}.{pages}.{digest}".encode()).decode().rstrip("=")

    def _page(self, items: list[JSON], params: JSON, resource: str, max_size: int = 1000) -> JSON:
        try:
            size = int(params.get("pageSize", self.config.default_page_size))
        except (TypeError, ValueError) as exc:
            raise _bad("Invalid value for parameter 'pageSize'.") from exc
        if size > max_size:
            raise ApiError(400, "Request would return too many entities")
        if size < 1:
            raise _bad("Parameter 'pageSize' must be positive.")
        offset = pages = 0
        if token := params.get("pageToken"):
            try:
                text = base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)).decode()
                offset, pages = (int(x) for x in text.split(".")[:2])
            except (ValueError, UnicodeDecodeError) as exc:
                raise _bad("Invalid pageToken.") from exc
            if self._token(resource, offset, pages) != token:
                raise _bad("Invalid pageToken.")
        n = min(size, self.config.page_cap)
        if pages % 2 == 0 and len(items) - offset > n:
            n = max(1, n // 2)  # a short page that is not the last one
        out: JSON = {"elements": items[offset : offset + n]}
        if offset + n < len(items):
            out["metadata"] = {"nextPageToken": self._token(resource, offset + n, pages + 1)}
        return out

    def _users(self, params: JSON, query: str) -> JSON:
        if params.get("q") == "authenticatedUser":
            accounts = self.world.accounts
        elif params.get("q") == "accounts" and "accounts" in params:
            raw = (
                params["accounts"] if isinstance(params["accounts"], list) else [params["accounts"]]
            )
            accounts = [
                a for a in self.world.accounts if f"urn:li:sponsoredAccount:{a['id']}" in raw
            ]
        else:
            raise ApiError(400, "Parameter 'accounts' is required.")
        users = []
        for acct in accounts:
            rng = random.Random(f"{self.config.seed}:users:{acct['id']}")
            for role in ("ACCOUNT_BILLING_ADMIN", rng.choice(["CAMPAIGN_MANAGER", "VIEWER"])):
                person = "".join(rng.choices("abcdefghijkLMNOPQRSTUVWXYZ0123456789-_", k=10))
                stamp = acct["changeAuditStamps"]["created"]
                users.append(
                    {
                        "role": role,
                        "user": f"urn:li:person:{person}",
                        "account": f"urn:li:sponsoredAccount:{acct['id']}",
                        "campaignContact": role == "ACCOUNT_BILLING_ADMIN",
                        "changeAuditStamps": {"created": stamp, "lastModified": stamp},
                    }
                )
        try:
            start, count = int(params.get("start", 0)), int(params.get("count", 10))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Invalid paging parameters.") from exc
        links = []
        if start + count < len(users):
            kept = "&".join(p for p in query.split("&") if not p.startswith(("start=", "count=")))
            links.append(
                {
                    "rel": "next",
                    "type": "application/json",
                    "href": f"/rest/adAccountUsers?{kept}&start={start + count}&count={count}",
                }
            )
        return {
            "paging": {"start": start, "count": count, "total": len(users), "links": links},
            "elements": users[start : start + count],
        }


def _money(currency: str, amount: str) -> JSON:
    return {"currencyCode": currency, "amount": amount}


def campaign_json(w: World, c: Campaign) -> JSON:
    acct = next(a for a in w.accounts if a["id"] == c.account_id)
    day_ms = 86_400_000
    schedule = {"start": w.t0 + (c.bursts[0][0] if c.bursts else 0) * day_ms + 3_600_000}
    if c.status in ("COMPLETED", "ARCHIVED", "CANCELED", "REMOVED") and c.bursts:
        schedule["end"] = w.t0 + (c.bursts[-1][1] + 1) * day_ms - 1
    serving = ["RUNNABLE"] if c.status == "ACTIVE" else ["STOPPED", "CAMPAIGN_END_DATE_HOLD"]
    return {
        "storyDeliveryEnabled": False,
        "targetingCriteria": {
            "include": {
                "and": [
                    {"or": {"urn:li:adTargetingFacet:locations": ["urn:li:geo:103644278"]}},
                    {"or": {"urn:li:adTargetingFacet:interfaceLocales": ["urn:li:locale:en_US"]}},
                ]
            }
        },
        "pacingStrategy": "LIFETIME",
        "locale": {"country": "US", "language": "en"},
        "type": c.type,
        "optimizationTargetType": "MAX_CLICK" if c.cost_type == "CPC" else "NONE",
        "runSchedule": schedule,
        "costType": c.cost_type,
        "creativeSelection": "OPTIMIZED",
        "offsiteDeliveryEnabled": c.id % 2 == 0,
        "id": c.id,
        "audienceExpansionEnabled": True,
        "test": acct["test"],
        "format": "TEXT_AD" if c.type == "TEXT_AD" else "STANDARD_UPDATE",
        "servingStatuses": serving,
        "version": {"versionTag": str(2 + c.id % 9)},
        "objectiveType": c.objective,
        "associatedEntity": acct["reference"],
        "campaignGroup": f"urn:li:sponsoredCampaignGroup:{c.group_id}",
        "dailyBudget": _money(acct["currency"], "100" if acct["currency"] == "USD" else "15000"),
        "unitCost": _money(acct["currency"], "8.25" if acct["currency"] == "USD" else "1237.5"),
        "name": c.name,
        "account": f"urn:li:sponsoredAccount:{c.account_id}",
        "status": c.status,
        "changeAuditStamps": {
            "created": {"time": c.created},
            "lastModified": {"time": schedule.get("end", c.created + 7_000)},
        },
    }


def creative_json(w: World, cr: Creative) -> JSON:
    acct = next(a for a in w.accounts if a["id"] == cr.account_id)
    last = max(w.facts.get(cr.id) or {0: {}})
    out = {
        "servingHoldReasons": [] if cr.status == "ACTIVE" else ["CAMPAIGN_STOPPED"],
        "lastModifiedAt": w.t0 + last * 86_400_000 + 5_000,
        "lastModifiedBy": "urn:li:system:0",
        "content": cr.content,
        "createdAt": cr.created,
        "isTest": acct["test"],
        "createdBy": "urn:li:person:HRnXB4kIO7",
        "review": {"status": "APPROVED" if cr.delivered or cr.id % 3 else "PENDING"},
        "isServing": cr.status == "ACTIVE" and w.campaigns[cr.campaign_id].status == "ACTIVE",
        "campaign": f"urn:li:sponsoredCampaign:{cr.campaign_id}",
        "id": cr.urn,
        "intendedStatus": cr.status,
        "account": f"urn:li:sponsoredAccount:{cr.account_id}",
    }
    if cr.name:
        out["name"] = cr.name
    return out


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"
    server_version = "LinkedInEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            status, payload = self._route(method, body)
        except ApiError as exc:
            status, payload = exc.status, exc.body
        except Exception as exc:  # an emulator bug: answer like LinkedIn's 500, keep serving
            status, payload = (
                500,
                {
                    "status": 500,
                    "code": "INTERNAL_SERVER_ERROR",
                    "message": f"{type(exc).__name__}: {exc}",
                },
            )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-RestLi-Protocol-Version", "2.0.0")
        self.send_header("x-li-uuid", hashlib.md5(data, usedforsecurity=False).hexdigest()[:22])
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)
        self.emulator.count(self.emulator.requests, status)

    def _route(self, method: str, body: str) -> tuple[int, JSON]:
        emu = self.emulator
        path, _, query = self.path.partition("?")
        if path.startswith("/oauth/v2/"):
            return self._oauth(method, path, body)
        if not path.startswith("/rest/"):
            raise _not_found(f"No resource found for path {path}")
        if method == "POST" and self.headers.get("X-HTTP-Method-Override", "").upper() == "GET":
            query = "&".join(p for p in (query, body.strip()) if p)
        elif method != "GET":
            raise ApiError(405, f"Method {method} is not supported on {path}", "METHOD_NOT_ALLOWED")
        if emu.config.latency_ms:
            time.sleep(emu.config.latency_ms / 1000)
        self._check_token()
        version = self._check_version()
        v2 = self.headers.get("X-Restli-Protocol-Version", "").strip() == "2.0.0"
        try:
            params = parse_query(query, v2=v2)
        except RestliSyntaxError as exc:
            raise ApiError(400, f"Malformed query string: {exc}") from exc
        segments = [unquote(s) for s in path[len("/rest/") :].rstrip("/").split("/")]
        return 200, emu.dispatch(segments, params, version, query)

    def _check_token(self) -> None:
        scheme, _, token = self.headers.get("Authorization", "").strip().partition(" ")
        if not token.strip():
            raise ApiError(
                401,
                "Empty or missing OAuth2 access token",
                "EMPTY_ACCESS_TOKEN",
                serviceErrorCode=65600,
            )
        if scheme.lower() != "bearer" or token.strip() != self.emulator.access_token:
            raise ApiError(
                401, "Invalid access token", "INVALID_ACCESS_TOKEN", serviceErrorCode=65600
            )

    def _check_version(self) -> str:
        raw = (self.headers.get("LinkedIn-Version") or "").strip()
        if not raw:
            raise ApiError(
                400,
                "A version must be present. Please specify a version by adding "
                "the Linkedin-Version header.",
                "VERSION_MISSING",
            )
        match = re.fullmatch(r"(\d{6})(?:\.\d{2})?", raw)
        if not match:
            raise ApiError(
                400, f"Invalid version format '{raw}'; expected YYYYMM", "INVALID_VERSION"
            )
        if match[1] not in self.emulator.config.versions:
            raise ApiError(
                426, f"Requested version {match[1]}01 is not active", "NONEXISTENT_VERSION"
            )
        return match[1]

    def _oauth(self, method: str, path: str, body: str) -> tuple[int, JSON]:
        if method != "POST":
            raise ApiError(405, f"Method {method} is not supported on {path}")
        form = dict(parse_qsl(body))
        if path == "/oauth/v2/accessToken":
            return 400, {
                "error": "invalid_request",
                "error_description": "The provided "
                "authorization grant or refresh token is invalid, expired or revoked",
            }
        if path == "/oauth/v2/introspectToken":
            if form.get("token") != self.emulator.access_token:
                return 200, {"active": False}
            now = int(time.time())
            return 200, {
                "active": True,
                "client_id": form.get("client_id", ""),
                "authorized_at": now - 86_400,
                "created_at": now - 86_400,
                "expires_at": now + 59 * 86_400,
                "status": "active",
                "scope": "r_ads,r_ads_reporting",
                "auth_type": "3L",
            }
        raise _not_found(f"No resource found for path {path}")
