"""The ingest process's allocators give freed memory back (pipeline.return_freed_memory)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading

import pyarrow as pa

from ingest.pipeline import return_freed_memory


def test_arrow_allocates_from_the_system_allocator_and_freed_pages_go_back() -> None:
    previous = pa.default_memory_pool()
    try:
        return_freed_memory()
        assert pa.default_memory_pool().backend_name == "system"
        if platform.libc_ver()[0] == "glibc":  # its heaps' free pages go back too
            assert any(thread.name == "malloc-trim" for thread in threading.enumerate())
    finally:
        pa.set_memory_pool(previous)


def test_arrows_own_code_allocates_from_the_system_allocator_once_ingest_is_imported() -> None:
    # a fresh process: the pool Arrow's C++ code uses (dlt's Parquet writer, compute) is chosen
    # when pyarrow loads, so `ingest` chooses it before anything imports pyarrow
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    code = "import ingest, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "system"
