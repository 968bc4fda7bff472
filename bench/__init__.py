"""`make bench`: the pipeline against the sandbox at named sizes, measured and compared.

    python -m bench --sizes S,M [--latency-ms 150] [--no-postgres] [--spark]

Per size it loads bronze from a sandbox with a simulated latency per request, builds dbt in full,
adds one day of data and loads and builds again (incremental), and prints requests against their
lower bound, sync time against its floor, bronze throughput, peak memory and dbt times, next to
what a per-campaign plan (the connectors' way) would send. `--spark` adds Spark (a throwaway lake
and Spark folder, dbt's session method) and its ratios to DuckDB. Results are appended to
bench/results.md. Modules: `arithmetic` (lower bound, floor, per-campaign plan, ratios: pure and
unit-tested), `child` (a measured process: ingest, or dbt and the JVM it starts), `run` (the
phases and the report).
"""
