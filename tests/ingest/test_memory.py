"""The ingest process's allocators give freed memory back (pipeline.return_freed_memory)."""

from __future__ import annotations

import pyarrow as pa

from ingest.pipeline import return_freed_memory


def test_arrow_allocates_from_the_system_allocator_after_it() -> None:
    previous = pa.default_memory_pool()
    try:
        return_freed_memory()
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(previous)
