"""Where bronze, silver and gold live, and the dlt pipeline that loads them.

`WAREHOUSE_TARGET` picks the engine (duckdb, the default, or postgres through the standard PG*
variables); `WAREHOUSE_PATH` the DuckDB file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from ingest.linkedin_ads.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
PIPELINE_NAME = "linkedin_ads"
DATASET = "bronze"
TARGETS = ("duckdb", "postgres")
# DuckDB while dlt loads and merges bronze: uncapped, its buffers kept what the load touched
# (the ingest process peaked at 3.5 GB at bench size M); capped, it spills beside the file and
# the load took as long. Insertion order is not kept (bronze has no order): the merge's dedup and
# insert then need not buffer rows to keep it (a 256 MB cap with it ran out of memory at M).
DUCKDB_LOAD = {"memory_limit": "400MB", "preserve_insertion_order": False}


@dataclass(frozen=True)
class Warehouse:
    """Where bronze, silver and gold live: a DuckDB file or a Postgres database."""

    target: str
    duckdb_path: Path
    pg: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Warehouse:
        env = os.environ if env is None else env
        target = env.get("WAREHOUSE_TARGET", "").strip() or "duckdb"
        if target not in TARGETS:
            raise ConfigError(f"WAREHOUSE_TARGET: {target!r} is not a target (duckdb or postgres)")
        path = Path(env.get("WAREHOUSE_PATH", "").strip() or "warehouse.duckdb")
        pg = {
            "host": env.get("PGHOST") or "127.0.0.1",
            "port": env.get("PGPORT") or "5432",
            "user": env.get("PGUSER") or "postgres",
            "password": env.get("PGPASSWORD") or "",
            "dbname": env.get("PGDATABASE") or "postgres",
        }
        return cls(target, (ROOT / path).resolve() if not path.is_absolute() else path, pg)

    @property
    def label(self) -> str:
        if self.target == "duckdb":
            return f"duckdb {self.duckdb_path}"
        return f"postgres {self.pg['user']}@{self.pg['host']}:{self.pg['port']}/{self.pg['dbname']}"

    def check(self) -> None:
        """Fail with one line when the warehouse cannot be reached, before anything runs."""
        if self.target == "duckdb":
            if not self.duckdb_path.parent.is_dir():
                raise ConfigError(
                    f"WAREHOUSE_PATH: folder {self.duckdb_path.parent} does not exist"
                )
            return
        import psycopg2

        try:
            psycopg2.connect(connect_timeout=5, **self.pg).close()
        except psycopg2.Error as error:
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise ConfigError(
                f"WAREHOUSE_TARGET=postgres: cannot connect to {self.label} (PGHOST, PGPORT, "
                f"PGUSER, PGPASSWORD, PGDATABASE): {reason}"
            ) from None

    def destination(self) -> Destination[Any, Any]:
        if self.target == "duckdb":
            # 63 like Postgres, so that long nested table names come out the same on both.
            credentials = DuckDbCredentials(str(self.duckdb_path), global_config=DUCKDB_LOAD)
            return dlt.destinations.duckdb(credentials, max_identifier_length=63)
        credentials = PostgresCredentials()
        credentials.host, credentials.port = self.pg["host"], int(self.pg["port"])
        credentials.username, credentials.database = self.pg["user"], self.pg["dbname"]
        credentials.password = self.pg["password"]
        # Resolved as given: an empty PGPASSWORD is valid (trust or peer authentication),
        # which dlt's own resolution would report as a missing field.
        credentials.resolve()
        # No unique index on _dlt_id: a load killed after a COPY committed replays that file
        # on the next run, and the index would fail the replay forever (merge dedups it).
        return dlt.destinations.postgres(credentials=credentials, create_indexes=False)

    @property
    def loader_file_format(self) -> str:
        """Bulk formats: DuckDB reads jsonl, Postgres COPYs csv (3x faster, a seventh of the
        memory of dlt's default INSERT statements)."""
        return "jsonl" if self.target == "duckdb" else "csv"

    @property
    def arrow_file_format(self) -> str:
        """Files of the tables the source yields as Arrow (analytics): parquet, which DuckDB
        reads natively and dlt writes without converting; csv for Postgres' COPY, written by
        pyarrow. Forcing `loader_file_format` on them would convert Arrow to dicts."""
        return "parquet" if self.target == "duckdb" else "csv"

    def pipelines_dir(self) -> Path:
        """dlt's working folder, one per warehouse, so local state never crosses warehouses."""
        digest = hashlib.sha256(self.label.encode()).hexdigest()[:12]
        base = Path(os.environ.get("INGEST_PIPELINES_DIR") or ROOT / ".dlt" / "pipelines")
        return base / f"{self.target}-{digest}"

    def dbt_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            WAREHOUSE_TARGET=self.target,
            WAREHOUSE_PATH=str(self.duckdb_path),
            PGHOST=self.pg["host"],
            PGPORT=self.pg["port"],
            PGUSER=self.pg["user"],
            PGPASSWORD=self.pg["password"],
            PGDATABASE=self.pg["dbname"],
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        return env


def build_pipeline(warehouse: Warehouse) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=warehouse.destination(),
        dataset_name=DATASET,
        pipelines_dir=str(warehouse.pipelines_dir()),
    )
