"""Everything before the warehouse: the LinkedIn Ads dlt source, the pipeline and the sandbox."""

import os

# Arrow's C++ code (dlt's Parquet writer, Arrow's compute) allocates from the default pool that
# is chosen when pyarrow loads: the system allocator, whose freed pages go back to the system
# (pipeline.return_freed_memory), not the bundled mimalloc, which reserves 1 GB and kept 144 MB
# of it at bench size L. Set here, before anything of ingest imports pyarrow.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
