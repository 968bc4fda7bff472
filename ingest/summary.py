"""What a run did: gold row counts, the text summary and the `--json` document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ingest.warehouse import Warehouse, build_pipeline

if TYPE_CHECKING:
    from ingest.pipeline import LoadResult


def gold_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows per gold table, for the summary."""
    with build_pipeline(warehouse).sql_client() as client:
        tables = client.execute_sql(
            "select table_name from information_schema.tables where table_schema = 'gold' "
            "order by table_name"
        )
        return {
            name: client.execute_sql(f'select count(*) from gold."{name}"')[0][0]
            for (name,) in tables
        }


@dataclass
class RunSummary:
    """What a run did, for the text summary and `--json`."""

    run_id: str
    status: str  # success or stopped (a failed run raises instead)
    api_base_url: str
    is_sandbox: bool
    warehouse: str
    started_at: datetime
    finished_at: datetime
    elapsed_seconds: float
    result: LoadResult
    gold: dict[str, int] | None
    freshness: dict[str, str]

    @property
    def api(self) -> str:
        """Which API the data came from, in words."""
        if self.is_sandbox:
            return f"the built-in sandbox at {self.api_base_url} (demo data, not LinkedIn's)"
        return f"the API at {self.api_base_url}"

    def text(self) -> str:
        result, stats = self.result, self.result.stats
        lines = [
            "",
            f"LinkedIn Ads load summary: {self.status}, data from {self.api}",
            f"  into {self.warehouse} (run {self.run_id})",
            "  bronze rows loaded this run:",
        ]
        lines += [f"    {table:<46} {count:>9,}" for table, count in sorted(result.rows.items())]
        analytics = sum(stats.requests.values())
        lower = sum(stats.lower_bound(table) for table in stats.requests if "member" not in table)
        daily = sum(count for table, count in stats.requests.items() if "member" not in table)
        lines.append(
            f"  API requests: {result.api_requests:,} ({analytics:,} adAnalytics; daily tables "
            f"{daily:,} against a lower bound of {lower:,}; {stats.split_windows} windows split)"
        )
        if result.loaded_through:
            lines.append("  daily campaign analytics loaded through, per account:")
            lines += [
                f"    {account:<46} {day:>9}" for account, day in result.loaded_through.items()
            ]
        if self.gold is not None:
            lines.append("  gold tables:")
            lines += [f"    {table:<46} {count:>9,}" for table, count in self.gold.items()]
        for table, status in self.freshness.items():
            lines.append(f"  freshness: {table}: {status}")
        for warning in stats.warnings:
            lines.append(f"  warning: {warning}")
        if stats.stopped_by:
            lines.append(f"  stopped early: {stats.stopped_by}")
        lines.append(f"  elapsed: {self.elapsed_seconds:.1f} s")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        stats = self.result.stats
        return {
            "run_id": self.run_id,
            "status": self.status,
            "api": {"base_url": self.api_base_url, "is_sandbox": self.is_sandbox},
            "warehouse": self.warehouse,
            "started_at": self.started_at.isoformat() + "Z",
            "finished_at": self.finished_at.isoformat() + "Z",
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "api_requests": self.result.api_requests,
            "analytics_requests": dict(sorted(stats.requests.items())),
            "bronze_rows": dict(sorted(self.result.rows.items())),
            "loaded_through": self.result.loaded_through,
            "gold_rows": self.gold,
            "freshness": self.freshness,
            "warnings": list(stats.warnings),
            "stopped_by": stats.stopped_by,
        }
