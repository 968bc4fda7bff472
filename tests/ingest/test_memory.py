"""The ingest process's allocators give freed memory back (pipeline.return_freed_memory)."""

from __future__ import annotations

import platform
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
