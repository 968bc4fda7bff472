"""The bench's phases and report: see the package docstring.

Each measured step (ingest, dbt) runs as a child process, which reports its own peak resident
memory and that of the children it waited for (bench/child.py `peak_mb`). Standard library only,
besides the project itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import arithmetic
from ingest import pipeline
from ingest.linkedin_ads import settings
from ingest.linkedin_ads.config import SETTING_PREFIX, ConfigError, parse_start_date
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.sandbox.config import SIZES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
# The sandbox answers from one process per core (SandboxConfig.processes): one Python process
# answers one request at a time, and the sync would measure the sandbox's CPU, not the client.
SANDBOX_PROCESSES = os.cpu_count() or 1


def progress(message: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    """A finished child process: exit code, seconds and peak resident memory (MB), which the
    child reports itself (bench/child.py)."""

    code: int
    seconds: float
    peak_mb: float = 0.0


def run_child(command: list[str], env: Mapping[str, str]) -> Child:
    """Run `command` and time it."""
    started = time.monotonic()
    code = subprocess.run(command, env=dict(env), cwd=ROOT, check=False).returncode
    return Child(code, time.monotonic() - started)


@dataclass
class Ingest:
    child: Child
    report: dict[str, Any]

    @property
    def analytics_rows(self) -> int:
        return sum(n for t, n in self.report["bronze_rows"].items() if t.startswith("ad_analytics"))

    @property
    def sync_seconds(self) -> float:
        return self.report["last_response"] - self.report["started"]

    @property
    def bronze_seconds(self) -> float:
        return self.report["loaded"] - self.report["last_response"]


def ingest(env: Mapping[str, str], out: Path) -> Ingest:
    child = run_child([sys.executable, "-m", "bench.child", "ingest", str(out)], env)
    if child.code not in (0, 1) or not out.exists():
        raise SystemExit(f"bench: the ingest child failed (exit {child.code}); output above")
    report = json.loads(out.read_text())
    child.peak_mb = report["peak_mb"]
    return Ingest(child, report)


def dbt_build(env: Mapping[str, str], out: Path) -> Child:
    """dbt build as the pipeline runs it; seconds of dbt itself, peak RSS of the process tree."""
    child = run_child([sys.executable, "-m", "bench.child", "dbt", str(out)], env)
    if child.code != 0:
        raise SystemExit(f"bench: dbt build failed (exit {child.code}); output above")
    report = json.loads(out.read_text())
    child.seconds, child.peak_mb = report["seconds"], report["peak_mb"]
    return child


@dataclass
class SizeResult:
    """What one size measured; `lines` is its report."""

    size: str
    lines: list[str] = field(default_factory=list)
    timings: dict[str, arithmetic.Timings] = field(default_factory=dict)  # per warehouse


def sandbox_env(sandbox: Any, warehouse: pipeline.Warehouse, work: Path) -> dict[str, str]:
    return api_env(
        warehouse,
        work,
        base_url=sandbox.base_url,
        access_token=sandbox.access_token,
        start=sandbox.advertiser.first_day,
        oauth_url=sandbox.oauth_url,
    )


def api_env(
    warehouse: pipeline.Warehouse,
    work: Path,
    *,
    base_url: str,
    access_token: str,
    start: date,
    oauth_url: str | None = None,
) -> dict[str, str]:
    """The ingest and dbt children's environment: the warehouse's variables over this
    environment, without the user's source settings, and the API to read."""
    env = {k: v for k, v in warehouse.dbt_env().items() if not k.startswith(SETTING_PREFIX)}
    env.update(
        {
            f"{SETTING_PREFIX}BASE_URL": base_url,
            f"{SETTING_PREFIX}ACCESS_TOKEN": access_token,
            f"{SETTING_PREFIX}START_DATE": start.isoformat(),
            f"{SETTING_PREFIX}ATTRIBUTION_WINDOW_DAYS": str(
                settings.DEFAULT_ATTRIBUTION_WINDOW_DAYS
            ),
            "INGEST_PIPELINES_DIR": str(work / "pipelines"),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    if oauth_url:
        env[f"{SETTING_PREFIX}OAUTH_URL"] = oauth_url
    if warehouse.target == "spark":
        env["SPARK_METHOD"] = "session"  # Spark inside dbt's process, never the user's cluster
    return env


def delivering(advertiser: Any) -> dict[int, set[int]]:
    """Campaign id -> day ordinals it delivered on (any creative with a row)."""
    days: dict[int, set[int]] = defaultdict(set)
    for urn, facts in advertiser.facts.items():
        if facts:
            days[advertiser.refs[urn].campaign_id].update(facts)
    return days


def bronze_delivery(database: Path) -> tuple[int, dict[int, set[int]]]:
    """(campaigns loaded, campaign id -> day ordinals of its daily rows), from a bench DuckDB
    file's bronze: what another API served, where the bench has no sandbox to ask."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        [(campaigns,)] = con.sql("select count(*) from bronze.campaigns").fetchall()
        rows = con.sql(
            "select distinct pivot_value, start_date from bronze.ad_analytics_by_campaign"
        ).fetchall()
    days: dict[int, set[int]] = defaultdict(set)
    for urn, day in rows:
        days[int(urn.rsplit(":", 1)[1])].add(day.toordinal())
    return campaigns, days


def request_lines(
    run: Ingest,
    start: date,
    campaigns: int,
    delivery: Mapping[int, set[int]],
    today: date,
    latency_ms: int,
) -> list[str]:
    """Requests per table against the lower bound and the per-campaign plan; time vs floor.
    `campaigns` counts the campaigns a per-campaign plan asks for; `delivery` maps each campaign
    to the days it delivered on (the demographic tables' bound)."""
    report = run.report
    rows: dict[str, list[int]] = defaultdict(list)
    for table, _, count in report["rows"]:
        rows[table].append(count)
    tables = [
        arithmetic.Table.named(name, metrics) for name, metrics in sorted(report["metrics"].items())
    ]
    plan = arithmetic.per_campaign_plan(campaigns, tables, start, today)
    lines = ["| table | requests | lower bound | x bound | per-campaign plan | x plan |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    total = bound_total = 0
    for table in tables:
        ours = report["requests"].get(table.name, 0)
        bound = arithmetic.lower_bound(table, rows[table.name], delivery, start, today)
        total, bound_total = total + ours, bound_total + bound
        lines.append(
            f"| {table.name} | {ours:,} | {bound:,} | {_x(arithmetic.ratio(ours, bound))} "
            f"| {plan[table.name]:,} | {_x(arithmetic.ratio(ours, plan[table.name]))} |"
        )
    plan_total = sum(plan.values())
    lines.append(
        f"| **all adAnalytics** | {total:,} | {bound_total:,} "
        f"| {_x(arithmetic.ratio(total, bound_total))} | {plan_total:,} "
        f"| {_x(arithmetic.ratio(total, plan_total))} |"
    )
    concurrency = settings.DEFAULT_CONCURRENCY
    floor = arithmetic.floor_seconds(total, latency_ms, concurrency)
    sequential = arithmetic.floor_seconds(plan_total, latency_ms, 1)
    lines += [
        "",
        f"- API requests in all: {report['api_requests']:,} (entities and paging included)",
        f"- sync wall time {run.sync_seconds:.1f} s; floor {floor:.1f} s ({total:,} requests x "
        f"{latency_ms} ms / {concurrency}): {_x(arithmetic.ratio(run.sync_seconds, floor))}; "
        f"the per-campaign plan's requests take {sequential:,.0f} s one after another "
        f"({_x(arithmetic.ratio(sequential, run.child.seconds))} our whole ingest process)",
    ]
    return lines


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}x"


def bench_size(name: str, latency_ms: int, targets: list[str], knobs: dict[str, Any]) -> SizeResult:
    size = SIZES[name]
    result = SizeResult(name)
    load_start = os.getloadavg()[0]
    today = datetime.now(UTC).date()  # the source reads through today (UTC)
    yesterday = today - timedelta(days=1)
    result.lines += [
        f"#### {name}: {size.accounts} account{'s' if size.accounts != 1 else ''} "
        f"(and a test account), {size.campaigns:,} campaigns, {size.creatives:,} creatives, "
        f"{size.days} days; {latency_ms} ms per request; the sandbox in {SANDBOX_PROCESSES} "
        f"process{'es' if SANDBOX_PROCESSES != 1 else ''}"
        + ("; LinkedIn's data limit lifted (--no-data-limit)" if knobs else ""),
        "",
    ]
    dbt_rows = ["| warehouse | dbt full build | incremental after one new day | ratio | peak RSS |"]
    dbt_rows.append("|---|---:|---:|---:|---:|")
    for target in targets:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            work = Path(tmp)
            with _warehouse(target, work) as warehouse:
                dbt_rows.append(
                    _bench_target(
                        name,
                        size,
                        target,
                        warehouse,
                        work,
                        today,
                        yesterday,
                        latency_ms,
                        result,
                        knobs,
                    )
                )
    result.lines += ["", *dbt_rows, ""]
    if "spark" in result.timings:
        ratios = arithmetic.against(result.timings["spark"], result.timings["duckdb"])
        result.lines.append(
            "- spark against duckdb in this run: "
            + ", ".join(f"{step} {_x(value)}" for step, value in ratios.items())
        )
    result.lines += [
        f"- load average (1 min) at the start and the end: {load_start:.1f}, "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: the machine is shared, so times "
        "are comparable only at similar loads",
        "",
    ]
    for line in result.lines:
        print(line)
    return result


def bench_api(base_url: str, latency_ms: int) -> list[str]:
    """Another emulator of LinkedIn's API (or the API itself) at `base_url`, with the access
    token and first day of the user's SOURCES__LINKEDIN_ADS__ settings: a first load into a
    throwaway DuckDB file and dbt's full build. The lower bounds count the rows it served (the
    bench has no sandbox to ask); `latency_ms` states its latency for the floor."""
    token = os.environ.get(f"{SETTING_PREFIX}ACCESS_TOKEN", "")
    if not token:
        raise SystemExit(f"bench: --api needs {SETTING_PREFIX}ACCESS_TOKEN")
    today = datetime.now(UTC).date()
    try:
        start = parse_start_date(os.environ.get(f"{SETTING_PREFIX}START_DATE"), today)
    except ConfigError as error:
        raise SystemExit(f"bench: {error}") from None
    lines = [f"#### {base_url}: from {start}; {latency_ms} ms per request (as stated)", ""]
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        with _warehouse("duckdb", work) as warehouse:
            env = api_env(warehouse, work, base_url=base_url, access_token=token, start=start)
            progress(f"{base_url}: ingest (from {start})")
            first = ingest(env, work / "first.json")
            campaigns, delivery = bronze_delivery(work / "bench.duckdb")
            lines += request_lines(first, start, campaigns, delivery, today, latency_ms)
            progress(f"{base_url}: dbt build (full)")
            full = dbt_build(env, work / "dbt-full.json")
    rows = first.analytics_rows
    lines += [
        f"- bronze: {rows:,} analytics rows, {first.bronze_seconds:.1f} s from the last response "
        f"to loaded; ingest peak RSS {first.child.peak_mb:,.0f} MB, whole ingest "
        f"{first.child.seconds:.1f} s",
        f"- dbt full build (DuckDB) {full.seconds:.1f} s, peak RSS {full.peak_mb:,.0f} MB",
        "",
    ]
    for line in lines:
        print(line)
    return lines


def _bench_target(
    name: str,
    size: Any,
    target: str,
    warehouse: pipeline.Warehouse,
    work: Path,
    today: date,
    yesterday: date,
    latency_ms: int,
    result: SizeResult,
    knobs: dict[str, Any],
) -> str:
    measured = target == "duckdb"  # the sync is measured once; Postgres only times dbt
    latency = latency_ms if measured else 0
    sized = {**dataclasses.asdict(size), **knobs}
    progress(f"{name} {target}: generating the sandbox (today {yesterday})")
    with run_sandbox(
        SandboxConfig(**sized, today=yesterday, latency_ms=latency, processes=SANDBOX_PROCESSES)
    ) as sandbox:
        env = sandbox_env(sandbox, warehouse, work)
        progress(f"{name} {target}: ingest (full history, {latency} ms per request)")
        first = ingest(env, work / "first.json")
        if measured:
            advertiser = sandbox.advertiser
            result.lines += request_lines(
                first,
                advertiser.first_day,
                len(advertiser.campaigns),
                delivering(advertiser),
                today,
                latency_ms,
            )
            rows = first.analytics_rows
            result.lines.append(
                f"- bronze: {rows:,} analytics rows, {first.bronze_seconds:.1f} s from the last "
                f"response to loaded: {rows / max(first.bronze_seconds, 1e-9):,.0f} rows/s; "
                f"ingest peak RSS {first.child.peak_mb:,.0f} MB, whole ingest "
                f"{first.child.seconds:.1f} s"
            )
    progress(f"{name} {target}: dbt build (full)")
    full = dbt_build(env, work / "dbt-full.json")
    progress(f"{name} {target}: generating the sandbox one day later (today {today})")
    with run_sandbox(
        SandboxConfig(**sized, today=today, latency_ms=latency, processes=SANDBOX_PROCESSES)
    ) as sandbox:
        env = sandbox_env(sandbox, warehouse, work)
        progress(f"{name} {target}: ingest (one new day)")
        second = ingest(env, work / "second.json")
        if measured:
            result.lines.append(
                f"- next day's ingest: {second.report['api_requests']:,} API requests, "
                f"{second.child.seconds:.1f} s, peak RSS {second.child.peak_mb:,.0f} MB"
            )
    progress(f"{name} {target}: dbt build (incremental)")
    incremental = dbt_build(env, work / "dbt-incremental.json")
    result.timings[target] = arithmetic.Timings(
        first.bronze_seconds, full.seconds, incremental.seconds
    )
    if target == "spark":
        rows = first.analytics_rows
        result.lines.append(
            f"- spark's lake load (Parquet, 0 ms per request): {rows:,} analytics rows, "
            f"{first.bronze_seconds:.1f} s from the last response to loaded, whole ingest "
            f"{first.child.seconds:.1f} s, peak RSS {first.child.peak_mb:,.0f} MB; next day's "
            f"ingest {second.child.seconds:.1f} s, peak RSS {second.child.peak_mb:,.0f} MB"
        )
    share = arithmetic.ratio(incremental.seconds, full.seconds) or 0.0
    return (
        f"| {target} | {full.seconds:.1f} s | {incremental.seconds:.1f} s | {share:.0%} "
        f"| {max(full.peak_mb, incremental.peak_mb):,.0f} MB |"
    )


class _warehouse:
    """A fresh DuckDB file in `work`, a throwaway Postgres database, or a lake and Spark folder
    (metastore, tables, logs) in `work`: never the user's `lake/` and `.spark/`."""

    def __init__(self, target: str, work: Path) -> None:
        self.target, self.work, self.name = target, work, f"bench_{os.getpid()}_{work.name[-8:]}"

    def __enter__(self) -> pipeline.Warehouse:
        if self.target == "duckdb":
            return pipeline.Warehouse.from_env(
                {"WAREHOUSE_TARGET": "duckdb", "WAREHOUSE_PATH": str(self.work / "bench.duckdb")}
            )
        if self.target == "spark":
            return pipeline.Warehouse.from_env(
                {
                    "WAREHOUSE_TARGET": "spark",
                    "LAKE_URL": str(self.work / "lake"),
                    "SPARK_DIR": str(self.work / "spark"),
                }
            )
        self._admin(f'create database "{self.name}"')
        return pipeline.Warehouse.from_env({**os.environ, "WAREHOUSE_TARGET": "postgres",
                                            "PGDATABASE": self.name})  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        if self.target == "postgres":
            self._admin(f'drop database if exists "{self.name}" with (force)')

    @staticmethod
    def _admin(sql: str) -> None:
        import psycopg2

        admin = pipeline.Warehouse.from_env({**os.environ, "PGDATABASE": "postgres"}).pg
        con = psycopg2.connect(connect_timeout=5, **admin)
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(sql)
        finally:
            con.close()


def postgres_reachable() -> bool:
    try:
        pipeline.Warehouse.from_env({**os.environ, "WAREHOUSE_TARGET": "postgres"}).check()
    except Exception as error:  # any failure means: skip Postgres
        progress(f"Postgres not reachable, DuckDB only ({error})")
        return False
    return True


def spark_ready() -> None:
    """Asked for Spark: stop with one line when it cannot run here."""
    try:
        pipeline.Warehouse.from_env({"WAREHOUSE_TARGET": "spark"}).check()
    except ConfigError as error:
        raise SystemExit(f"bench: --spark: {error}") from None


def machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {cores} cores, {memory:.0f} GB memory"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' (uncommitted changes)' if dirty else ''}" if head else "unknown"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="S,M", help="comma-separated sizes: XS, S, M, L")
    parser.add_argument("--latency-ms", type=int, default=150, help="simulated API latency")
    parser.add_argument("--no-postgres", action="store_true", help="no Postgres row")
    parser.add_argument(
        "--no-data-limit",
        action="store_true",
        help="lift the sandbox's data limit (45M metric values per 5 minutes, as LinkedIn's), "
        "which an L-size first load reaches: the sync then measures the client, not the limit",
    )
    parser.add_argument(
        "--spark", action="store_true", help="add a Spark row (lake load, dbt session method)"
    )
    parser.add_argument(
        "--api",
        metavar="BASE_URL",
        help="instead of the sandbox, another emulator of LinkedIn's API (or the API) at "
        f"BASE_URL, read with {SETTING_PREFIX}ACCESS_TOKEN from {SETTING_PREFIX}START_DATE; "
        "--latency-ms then states its latency",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="file to append to")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; use {', '.join(SIZES)}")
    header = (
        f"### {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC, commit {commit()}, {machine()}"
    )
    if args.api:
        lines = bench_api(args.api, args.latency_ms)
    else:
        if args.spark:
            spark_ready()
        targets = arithmetic.targets(not args.no_postgres and postgres_reachable(), args.spark)
        limit = {"data_volume_limit": 10**15} if args.no_data_limit else {}
        lines = [
            line
            for size in sizes
            for line in bench_size(size, args.latency_ms, targets, limit).lines
        ]
    title = "# make bench results\n\nAppended by `make bench` (bench/run.py), newest last.\n"
    if not args.results.exists():
        args.results.write_text(title)
    with args.results.open("a") as out:
        out.write("\n".join(["", header, "", *lines]))
        out.write("\n")
    progress(f"appended to {args.results}")
    return 0
