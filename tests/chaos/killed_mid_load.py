"""`python -m ingest <args>` that SIGKILLs itself once its load has completed N jobs.

    python -m tests.chaos.killed_mid_load N load

A load into Spark's lake writes one small Parquet file per table and ends in a few tenths of a
second, so a watcher polling from outside can miss the moment between two files (it did, on a
slow CI machine). Here the kill comes from inside, right after dlt moves the Nth job of the
package to completed, so the package is always left half loaded: N jobs completed, the rest new
or started. The process dies with SIGKILL as from outside: no handler, no cleanup.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys

from dlt.common.storages.load_package import PackageStorage


def kill_after(jobs: int) -> None:
    complete_job = PackageStorage.complete_job
    completed = 0

    def complete_then_die(self: PackageStorage, load_id: str, file_name: str) -> str:
        nonlocal completed
        path = complete_job(self, load_id, file_name)
        completed += 1
        if completed >= jobs:
            os.kill(os.getpid(), signal.SIGKILL)
        return path

    PackageStorage.complete_job = complete_then_die  # type: ignore[method-assign]


if __name__ == "__main__":
    kill_after(int(sys.argv.pop(1)))
    runpy.run_module("ingest", run_name="__main__", alter_sys=True)
