"""The measured processes; settings from the environment, results as JSON in OUT.

`python -m bench.child ingest OUT` loads bronze (pipeline.load) and writes requests and rows per
table and account, metrics per table, when the last API response arrived and when bronze was
loaded. `python -m bench.child dbt OUT` runs dbt build as the pipeline does (pipeline.dbt) and
writes its seconds.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from ingest import pipeline
from ingest.linkedin_ads.client import LinkedInClient

_last_response = [0.0]


def _stamp_responses() -> None:
    """Record when each API response arrives (the last one starts the bronze clock)."""
    get = LinkedInClient.get

    def timed_get(self: LinkedInClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = get(self, *args, **kwargs)
        _last_response[0] = time.time()
        return answer

    LinkedInClient.get = timed_get  # type: ignore[method-assign]


def dbt(out: str) -> int:
    warehouse = pipeline.Warehouse.from_env()
    started = time.monotonic()
    code = pipeline.dbt(warehouse, "build", "--quiet", check=False)
    Path(out).write_text(json.dumps({"seconds": time.monotonic() - started, "code": code}))
    return code


def ingest(out: str) -> int:
    _stamp_responses()
    started = time.time()
    result = pipeline.load(pipeline.Warehouse.from_env())
    loaded = time.time()
    stats = result.stats
    report = {
        "started": started,
        "last_response": _last_response[0],
        "loaded": loaded,
        "api_requests": result.api_requests,
        "requests": dict(stats.requests),
        "metrics": stats.metrics,
        "rows": [[table, account, rows] for (table, account), rows in stats.rows.items()],
        "bronze_rows": result.rows,
        "stopped_by": stats.stopped_by,
        "warnings": stats.warnings,
    }
    Path(out).write_text(json.dumps(report))
    return 0 if stats.stopped_by is None else 1


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        handlers=[logging.StreamHandler(sys.stderr)],
    )
    for noisy in ("httpx", "httpcore", "dlt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    command, out = sys.argv[1:3]
    sys.exit({"ingest": ingest, "dbt": dbt}[command](out))
