"""The measured processes; settings from the environment, results as JSON in OUT.

`python -m bench.child ingest OUT` loads bronze (pipeline.load) and writes requests and rows per
table and account, metrics per table, when the last API response arrived and when bronze was
loaded. `python -m bench.child dbt OUT` runs dbt build as the pipeline does (pipeline.dbt) and
writes its seconds; on Linux it reaps the processes dbt leaves behind (Spark's JVM, which dbt's
session method starts and never waits for), so that their memory counts in its peak.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from ingest import pipeline
from ingest.linkedin_ads.client import LinkedInClient

_last_response = [0.0]


def _stamp_responses() -> None:
    """Record when each API response arrives (the last one starts the bronze clock)."""
    get = LinkedInClient._get  # under get and get_body

    def timed_get(self: LinkedInClient, *args: Any, **kwargs: Any) -> Any:
        answer = get(self, *args, **kwargs)
        _last_response[0] = time.time()
        return answer

    LinkedInClient._get = timed_get  # type: ignore[method-assign]


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
ORPHANS_WAIT_SECONDS = 120


def _adopt_orphans() -> bool:
    """Become the subreaper of this process tree (Linux): descendants whose parent exits without
    waiting for them become this process's children instead of init's."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _reap_orphans() -> None:
    """Wait for the adopted descendants (the JVM exits once dbt's end closes its stdin): the
    kernel then counts their peak memory in this process's children, which the bench reads."""
    deadline = time.monotonic() + ORPHANS_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.2)
    print("bench: a process dbt started still runs; its memory is not counted", file=sys.stderr)


def peak_mb() -> float:
    """Peak resident memory of this process and of the children it waited for (dbt, Spark's
    JVM), in MB. Its own peak is VmHWM, which counts from its exec: the `ru_maxrss` a parent
    reads with wait4 also keeps the pages a child shared with its parent before exec, so a bench
    parent holding a large sandbox made every child look as large as itself."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if sys.platform == "darwin":  # bytes there, no /proc
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return max(own, children) / 2**20
    status = Path("/proc/self/status").read_text()
    own = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    return max(own, children) / 1024


def dbt(out: str) -> int:
    warehouse = pipeline.Warehouse.from_env()
    adopted = _adopt_orphans()
    started = time.monotonic()
    code = pipeline.dbt(warehouse, "build", "--quiet", check=False)
    seconds = time.monotonic() - started
    if adopted:
        _reap_orphans()
    Path(out).write_text(json.dumps({"seconds": seconds, "code": code, "peak_mb": peak_mb()}))
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
        "peak_mb": peak_mb(),
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
