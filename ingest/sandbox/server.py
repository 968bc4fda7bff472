"""The Sandbox: its state, knobs and stats, the HTTP server around it and the CLI entry point."""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .config import FAULT_KINDS, SandboxConfig
from .data import default_today, generate
from .errors import ApiError, legacy_error
from .faults import Clock, DailyQuota, DataVolume, FaultInjector
from .oauth import TokenStore, answer_oauth
from .responses import Response
from .rest import RestApi
from .restatement import restate
from .truth import Truth


@dataclass(frozen=True)
class SandboxStats:
    """A snapshot of what the sandbox served."""

    requests: int
    by_route: dict[str, int]
    by_status: dict[int, int]
    faults: dict[str, int]
    tokens_refreshed: int
    analytics_rows: int

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_route": self.by_route,
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "faults": self.faults,
            "tokens_refreshed": self.tokens_refreshed,
            "analytics_rows": self.analytics_rows,
        }


class Sandbox:
    """A loopback emulator of the LinkedIn Marketing API over one seeded advertiser."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self._config = config or SandboxConfig()
        self.today = self._config.today or default_today()
        self.advertiser = generate(self._config.seed, self.today, self._config.size)
        self.truth = Truth(self.advertiser, lambda: self._config)
        self.clock = Clock()
        self.tokens = TokenStore(self._config.seed, self.clock.now())
        # the credentials a client starts with (seeded: the same for the same seed)
        self.client_id = self.tokens.client_id
        self.client_secret = self.tokens.client_secret
        self.access_token = self.tokens.access_token
        self.refresh_token = self.tokens.refresh_token
        self.faults = FaultInjector(self._config.seed)
        self.quota = DailyQuota(self.clock)
        self.volume = DataVolume(self.clock)
        self.rest = RestApi(
            self.advertiser,
            self.clock,
            self.tokens,
            self.faults,
            self.quota,
            self.volume,
            count_rows=self._count_rows,
        )
        self._lock = threading.Lock()
        self._by_route: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._faults: Counter[str] = Counter()
        self._rows = 0
        self._restatements = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._children: list[int] = []  # forked copies serving the same socket (processes)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Listen and serve in a background thread (and in `processes - 1` forked copies)."""
        # The advertiser's facts are millions of small dicts that live as long as the sandbox:
        # out of the garbage collector's sight (gc.freeze), a collection triggered by building
        # an answer's rows no longer walks them all (at M it doubled a 15,000-row answer's
        # time). `stop` gives them back to it.
        gc.freeze()
        server = _Server((self._config.host, self._config.port), _Handler)
        server.sandbox = self
        self._server = server
        if self._config.processes > 1:
            # Every copy wakes on a new connection and one accepts it: the others must not wait
            # in accept() (a blocked server never sees its shutdown).
            server.socket.setblocking(False)
        self._children = [_fork_server(server) for _ in range(self._config.processes - 1)]
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="linkedin-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        for pid in self._children:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        self._children = []
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        gc.unfreeze()

    def __enter__(self) -> Sandbox:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.address}/rest"

    @property
    def oauth_url(self) -> str:
        return f"{self.address}/oauth/v2"

    # -- knobs -----------------------------------------------------------------------------
    @property
    def config(self) -> SandboxConfig:
        return self._config

    def configure(self, **knobs: Any) -> SandboxConfig:
        """Change knobs at run time; setting a counter knob restarts its counter."""
        new = self._config.replace(**knobs)
        with self._lock:
            self._config = new
        if {"fault_rate", "fault_kinds"} & knobs.keys():
            self.faults.reset()
        if "token_expires_after_calls" in knobs:
            self.tokens.reset_call_counters()
        if "daily_quota_calls" in knobs:
            self.quota.reset()
        if {"data_volume_limit", "data_volume_window_seconds"} & knobs.keys():
            self.volume.reset()
        return new

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock (token TTLs, the quota day, the data-volume window)."""
        self.clock.advance(seconds)

    def restate(self, days: int, factor: float | None = None) -> int:
        """Change conversions and their value over the last `days` days; returns days changed.

        With factor, conversions are scaled by it; without, a seeded number of late conversions is
        added. Deterministic for a seed and the number of earlier restatements.
        """
        if days < 1:
            raise ValueError("days must be >= 1")
        with self._lock:
            rng = random.Random(f"{self.advertiser.seed}:restate:{self._restatements}")
            self._restatements += 1
        return restate(self.advertiser, rng, days, factor)

    # -- stats -----------------------------------------------------------------------------
    @property
    def stats(self) -> SandboxStats:
        with self._lock:
            return SandboxStats(
                requests=sum(self._by_route.values()),
                by_route=dict(self._by_route),
                by_status=dict(self._by_status),
                faults=dict(self._faults),
                tokens_refreshed=self.tokens.refreshes,
                analytics_rows=self._rows,
            )

    def reset_stats(self) -> None:
        with self._lock:
            self._by_route.clear()
            self._by_status.clear()
            self._faults.clear()
            self._rows = 0

    def _count_rows(self, rows: int) -> None:
        with self._lock:
            self._rows += rows

    def _count(self, route: str, status: int, fault: str | None = None) -> None:
        with self._lock:
            self._by_route[route] += 1
            self._by_status[status] += 1
            if fault:
                self._faults[fault] += 1

    # -- request handling ------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one HTTP request (the handler only does I/O)."""
        route = route_name(path)
        if path.startswith("/_sandbox/"):
            response = self._control(method, path, body)
            self._count(route, response.status)
            return response
        config = self._config
        arrived = time.monotonic()
        fault: str | None = None
        try:
            if path.startswith("/oauth/v2/"):
                fault, error = self.faults.inject(config) if config.fault_oauth else (None, None)
                if error is not None:
                    raise error
                name = path[len("/oauth/v2/") :]
                now = self.clock.now()
                response = answer_oauth(self.tokens, method, name, query, body, now, config)
            elif path == "/rest" or path.startswith("/rest/"):
                response, fault = self.rest.answer(method, path, query, headers, body, config)
            else:
                response = Response.error(legacy_error(404, f"No resource found at {path}"))
        except ApiError as error:
            response = Response.error(error)
        if fault == "drop":
            response = Response(drop=True)
        # The latency is the API's time to answer, its own work included: the answer leaves
        # `latency_ms` after the request arrived, or later when computing it took longer.
        time.sleep(max(0.0, config.latency_ms / 1000 - (time.monotonic() - arrived)))
        self._count(route, 0 if response.drop else response.status, fault)
        response.headers.setdefault("x-li-uuid", uuid.uuid4().hex)
        response.headers.setdefault("x-li-fabric", "sandbox")
        return response

    def _control(self, method: str, path: str, body: bytes) -> Response:
        name = path[len("/_sandbox/") :]
        try:
            payload = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise ValueError("expected a JSON object")
            if name == "truth" and method == "GET":
                return Response.json(self.truth.to_json())
            if name == "stats" and method == "GET":
                return Response.json(self.stats.to_json())
            if name == "config" and method == "GET":
                return Response.json(self._config.to_json())
            if name == "config" and method == "POST":
                return Response.json(self.configure(**payload).to_json())
            if name == "restate" and method == "POST":
                changed = self.restate(int(payload.get("days", 0)), payload.get("factor"))
                return Response.json({"changed_creative_days": changed})
        except (ValueError, TypeError) as exc:
            return Response.json({"error": str(exc)}, 400)
        return Response.json({"error": f"no sandbox control route {method} {path}"}, 404)


def route_name(path: str) -> str:
    """A stats label: the resource, with ids folded ("adAccounts/{id}/adCampaigns")."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "/"
    if parts[0] == "_sandbox":
        return "_sandbox"
    if parts[0] == "oauth":
        return "oauth/" + (parts[-1] if len(parts) > 2 else "")
    if parts[0] != "rest" or len(parts) < 2:
        return "unknown"
    labels = [parts[1]]
    if len(parts) >= 3:
        labels.append("{id}")
    if len(parts) >= 4:
        labels.append(parts[3])
    if len(parts) >= 5:
        labels.append("{id}")
    return "/".join(labels)


def _fork_server(server: ThreadingHTTPServer) -> int:
    """Fork a copy of this process that serves `server`'s socket until it is told to stop
    (SIGTERM) or its parent is gone; returns the copy's pid. Call before any thread starts."""
    pid = os.fork()
    if pid:
        return pid
    parent = os.getppid()

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    try:
        server.serve_forever(0.05)
    finally:
        os._exit(0)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60  # idle keep-alive connections give their thread back
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms ACK stall

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        response = self.server.sandbox.handle(method, url.path, url.query, self.headers, body)
        if response.drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def run_sandbox(config: SandboxConfig | None = None) -> Iterator[Sandbox]:
    """Start a sandbox on loopback (a free port by default) and stop it on exit."""
    sandbox = Sandbox(config).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest sandbox", description="Serve the LinkedIn Marketing API sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument(
        "--fault-kinds", default="429,500_json,503", help=f"comma list of {sorted(FAULT_KINDS)}"
    )
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--row-cap", type=int, default=15_000)
    parser.add_argument("--daily-quota-calls", type=int, default=None)
    parser.add_argument("--token-expires-after-calls", type=int, default=None)
    parser.add_argument("--data-volume-limit", type=int, default=45_000_000)
    parser.add_argument("--forbidden-account-ids", default="", help="comma list of account ids")
    parser.add_argument("--short-page", action="store_true")
    parser.add_argument("--extra-fields", action="store_true")
    parser.add_argument("--drop-optional-fields", action="store_true")
    return parser


def config_from_args(argv: list[str]) -> SandboxConfig:
    """Parse CLI flags into a SandboxConfig."""
    args = _parser().parse_args(argv)
    return SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        fault_kinds=tuple(k for k in args.fault_kinds.split(",") if k),
        slow_seconds=args.slow_seconds,
        row_cap=args.row_cap,
        daily_quota_calls=args.daily_quota_calls,
        token_expires_after_calls=args.token_expires_after_calls,
        data_volume_limit=args.data_volume_limit,
        forbidden_account_ids=tuple(int(v) for v in args.forbidden_account_ids.split(",") if v),
        short_page=args.short_page,
        extra_fields=args.extra_fields,
        drop_optional_fields=args.drop_optional_fields,
    )


def main(argv: list[str]) -> int:
    """CLI: serve until interrupted; prints the base URL, OAuth URL and access token."""
    try:
        config = config_from_args(argv)
    except ValueError as exc:
        print(f"sandbox: {exc}")
        return 2
    sandbox = Sandbox(config).start()
    print(
        f"LinkedIn sandbox: base_url={sandbox.base_url} oauth_url={sandbox.oauth_url} "
        f"access_token={sandbox.access_token}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
