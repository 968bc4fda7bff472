"""Fault injection, the daily call quota, the data-volume throttle and the sandbox clock."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from datetime import UTC, datetime

from .config import SandboxConfig
from .errors import ApiError, restli_error

DAY_LIMIT_MESSAGE = (
    "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource "
    "is reached."
)
DATA_LIMIT_MESSAGE = (
    "The data request limit has been exceeded. "
    "More than 45 million metric values were requested in a 5-minute window."
)
THROTTLE_MESSAGE = "Resource level throttle limit for calls to this resource is reached."
HTML_500 = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    "<body><h1>Internal Server Error</h1><p>Request ID: sandbox</p></body></html>"
)


class Clock:
    """Wall clock with an offset tests can advance (token TTLs, quota day, data window)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class _Guarded:
    """State shared by request threads: kept behind a lock, put back to its start by reset()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        raise NotImplementedError


class FaultInjector(_Guarded):
    """Deterministic faults: one draw per eligible request from its own seeded Random."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        super().__init__()

    def reset(self) -> None:
        with self._lock:
            self._rng = random.Random(f"{self.seed}:faults")

    def draw(self, rate: float, kinds: tuple[str, ...]) -> str | None:
        """The fault to inject for this request, or None."""
        if rate <= 0 or not kinds:
            return None
        with self._lock:
            hit = self._rng.random() < rate
            kind = self._rng.choice(sorted(kinds))
        return kind if hit else None

    def inject(self, config: SandboxConfig) -> tuple[str | None, ApiError | None]:
        """Draw a fault: (kind, the error to answer with, if any); "slow" sleeps here."""
        kind = self.draw(config.fault_rate, config.fault_kinds)
        if kind == "slow":
            time.sleep(config.slow_seconds)
        if kind is None or kind in ("slow", "drop"):
            return kind, None
        return kind, fault_error(kind, config.retry_after_seconds)


def fault_error(kind: str, retry_after: int) -> ApiError:
    """The answer for a fault kind other than drop and slow."""
    if kind in ("429", "429_retry_after"):
        error = restli_error(429, "TOO_MANY_REQUESTS", THROTTLE_MESSAGE, 101)
        if kind == "429_retry_after":
            error.headers["Retry-After"] = str(retry_after)
        return error
    if kind == "500_json":
        return restli_error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")
    if kind == "500_html":
        return ApiError(500, HTML_500, content_type="text/html; charset=utf-8")
    if kind == "503":
        return restli_error(503, "SERVICE_UNAVAILABLE", "Service Unavailable")
    raise ValueError(kind)


class DailyQuota(_Guarded):
    """Calls per UTC day to adAnalytics; resets at midnight UTC (of the sandbox clock)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        super().__init__()

    def reset(self) -> None:
        with self._lock:
            self._day = ""
            self._calls = 0

    def take(self, limit: int | None) -> None:
        """Count one call, or raise the DAY-limit 429 when the day's quota is spent."""
        day = datetime.fromtimestamp(self.clock.now(), UTC).date().isoformat()
        with self._lock:
            if day != self._day:
                self._day, self._calls = day, 0
            if limit is not None and self._calls >= limit:
                raise restli_error(429, "TOO_MANY_REQUESTS", DAY_LIMIT_MESSAGE, 101)
            self._calls += 1


class DataVolume(_Guarded):
    """Σ(fields x rows) over a rolling window; a request that would pass the limit gets 429."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._events: deque[tuple[float, int]] = deque()
        super().__init__()

    def reset(self) -> None:
        with self._lock:
            self._events.clear()
            self._total = 0

    def charge(self, values: int, limit: int, window: float) -> None:
        now = self.clock.now()
        with self._lock:
            while self._events and self._events[0][0] <= now - window:
                self._total -= self._events.popleft()[1]
            if self._total + values > limit:
                raise restli_error(429, "TOO_MANY_REQUESTS", DATA_LIMIT_MESSAGE, 101)
            self._events.append((now, values))
            self._total += values
