"""SandboxConfig: the seed and the knobs that shape the emulator's behaviour."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from .contract import DATA_VOLUME_LIMIT, DATA_VOLUME_WINDOW_SECONDS, ROW_CAP
from .data import Size

AUTHORIZATION_ANSWERS = frozenset({"approve", "user_cancelled_login", "user_cancelled_authorize"})
FAULT_KINDS = frozenset({"429", "429_retry_after", "500_json", "500_html", "503", "drop", "slow"})

# Fixed when the sandbox starts: changing them would change the data or the address.
STATIC_FIELDS = frozenset(
    {"host", "port", "seed", "today", "accounts", "campaigns", "creatives", "days"}
)
SIZE_FIELDS = ("accounts", "campaigns", "creatives", "days")

# Named sizes for benchmarks: serving accounts, campaigns, creatives, days of data.
SIZES = {
    "XS": Size(accounts=1, campaigns=10, creatives=100, days=90),
    "S": Size(accounts=1, campaigns=50, creatives=500, days=365),
    "M": Size(accounts=5, campaigns=300, creatives=3_000, days=365),
    "L": Size(accounts=20, campaigns=1_000, creatives=10_000, days=730),
}


def month_range(first: str, last: str) -> tuple[str, ...]:
    """Every YYYYMM version from first to last inclusive."""
    year, month = int(first[:4]), int(first[4:])
    out: list[str] = []
    while f"{year:04d}{month:02d}" <= last:
        out.append(f"{year:04d}{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return tuple(out)


DEFAULT_ACTIVE_VERSIONS = month_range("202511", "202611")


@dataclass(frozen=True)
class SandboxConfig:
    """Seed, address and behaviour knobs; every knob can change at run time via configure()."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    seed: int = 7
    today: date | None = None  # last day of the data window; None: today (UTC)
    # Size of the advertiser: all four, or none for the default one (3 accounts, ~205 creatives,
    # 120 days). SandboxConfig.sized("M") sets a named size.
    accounts: int | None = None
    campaigns: int | None = None
    creatives: int | None = None
    days: int | None = None
    active_versions: tuple[str, ...] = DEFAULT_ACTIVE_VERSIONS
    latency_ms: int = 0  # time to answer, computing included (the API's own work is part of it)
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = ("429", "500_json", "503")
    fault_oauth: bool = False  # also fault the OAuth routes
    slow_seconds: float = 2.0
    retry_after_seconds: int = 1
    token_expires_after_calls: int | None = None
    token_revoked: bool = False
    # What the member answers on GET /oauth/v2/authorization: "approve" (a 302 with a code, no
    # login page), "user_cancelled_login" or "user_cancelled_authorize" (a 302 with that error).
    authorization_answer: str = "approve"
    row_cap: int = ROW_CAP
    daily_quota_calls: int | None = None
    data_volume_limit: int = DATA_VOLUME_LIMIT
    data_volume_window_seconds: float = DATA_VOLUME_WINDOW_SECONDS
    short_page: bool = False
    forbidden_account_ids: tuple[int, ...] = ()
    extra_fields: bool = False
    drop_optional_fields: bool = False
    demographic_noise: float = 0.0  # 0..1 relative noise on member-pivot values
    # Real-world money (analytics_knobs): decimals with 22 places, as LinkedIn's BigDecimal strings
    # can carry; and N creatives left out of creative-level reports (deleted creatives).
    money_tails: bool = False
    creative_gaps: int = 0
    # False: the token lacks r_organization_social, so every /rest/posts request answers 403.
    posts_scope: bool = True
    # An API that does not serve the richer reports: a token without the conversion-tracking
    # scope (the conversions finder and the CONVERSION pivot answer 403), and pivots this API
    # version does not know (400, as for any unknown pivot).
    conversions_denied: bool = False
    unknown_pivots: tuple[str, ...] = ()
    # Processes answering requests: LinkedIn answers concurrent requests side by side, one Python
    # process answers them one at a time (the GIL). More than 1 forks copies that share the
    # listening socket, each with its own counters: for load (`make bench`), not for tests of
    # quotas, faults, token expiry or knobs changed at run time, which count per process.
    processes: int = 1

    def __post_init__(self) -> None:
        # JSON and CLI give lists; keep tuples so the config stays hashable and immutable.
        for name in ("active_versions", "fault_kinds", "forbidden_account_ids", "unknown_pivots"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(
            self, "forbidden_account_ids", tuple(int(v) for v in self.forbidden_account_ids)
        )
        self.validate()

    @classmethod
    def sized(cls, name: str, **knobs: Any) -> SandboxConfig:
        """A config with one of the named SIZES."""
        if name not in SIZES:
            raise ValueError(f"unknown size {name!r}; use one of {sorted(SIZES)}")
        return cls(**dataclasses.asdict(SIZES[name]), **knobs)

    @property
    def size(self) -> Size | None:
        """The advertiser's size, or None for the default advertiser."""
        values = [getattr(self, name) for name in SIZE_FIELDS]
        return None if all(v is None for v in values) else Size(*values)

    def validate(self) -> None:
        """Raise ValueError on a knob outside its range."""
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within 0..1")
        unknown = set(self.fault_kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {sorted(FAULT_KINDS)}")
        if self.authorization_answer not in AUTHORIZATION_ANSWERS:
            raise ValueError(f"authorization_answer must be one of {sorted(AUTHORIZATION_ANSWERS)}")
        if self.creative_gaps < 0:
            raise ValueError("creative_gaps must be >= 0")
        if self.row_cap < 1:
            raise ValueError("row_cap must be >= 1")
        if self.processes < 1:
            raise ValueError("processes must be >= 1")
        if self.latency_ms < 0 or self.slow_seconds < 0:
            raise ValueError("latency_ms and slow_seconds must be >= 0")
        values = [getattr(self, name) for name in SIZE_FIELDS]
        if any(v is None for v in values) and any(v is not None for v in values):
            raise ValueError(f"set all of {', '.join(SIZE_FIELDS)} or none of them")
        if all(v is not None for v in values):
            Size(*values)  # raises on an impossible size
        for version in self.active_versions:
            if len(version) != 6 or not version.isdigit():
                raise ValueError(f"active version {version!r} is not YYYYMM")

    def replace(self, **knobs: Any) -> SandboxConfig:
        """A copy with knobs changed; refuses unknown names and the static fields."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(knobs) - names
        if unknown:
            raise ValueError(f"unknown sandbox knobs: {sorted(unknown)}")
        static = set(knobs) & STATIC_FIELDS
        if static:
            raise ValueError(f"{sorted(static)} are fixed once the sandbox runs")
        return dataclasses.replace(self, **knobs)

    def to_json(self) -> dict[str, Any]:
        """The knobs as JSON-friendly values."""
        out = dataclasses.asdict(self)
        out["today"] = self.today.isoformat() if self.today else None
        for name in ("active_versions", "fault_kinds", "forbidden_account_ids", "unknown_pivots"):
            out[name] = list(out[name])
        return out
