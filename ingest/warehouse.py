"""Where bronze, silver and gold live, and the dlt pipeline that loads them.

`WAREHOUSE_TARGET` picks the engine (duckdb, the default, postgres through the standard PG*
variables, or spark: bronze as Parquet in the lake `LAKE_URL`, silver and gold in Spark's catalog);
`WAREHOUSE_PATH` the DuckDB file; `SPARK_DIR` Spark's own folders on this machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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
TARGETS = ("duckdb", "postgres", "spark")
# Spark's own folders (its Derby metastore, managed tables, logs, the run lock) unless SPARK_DIR
# says otherwise, absolute so that no process that starts Spark elsewhere creates a second
# metastore in its current directory.
SPARK_HOME_DIR = ROOT / ".spark"
# DuckDB while dlt loads and merges bronze: uncapped, its buffers kept what the load touched
# (the ingest process peaked at 3.5 GB at bench size M); capped, it spills beside the file and
# the load took as long. Insertion order is not kept (bronze has no order): the merge's insert
# then need not buffer rows to keep it (a 256 MB cap with it ran out of memory at M, when the
# merge still deduplicated staging rows and dlt loaded jobs in parallel).
DUCKDB_LOAD = {"memory_limit": "256MB", "preserve_insertion_order": False}


@dataclass(frozen=True)
class Warehouse:
    """Where bronze, silver and gold live: a DuckDB file or a Postgres database."""

    target: str
    duckdb_path: Path
    pg: Mapping[str, str] = field(default_factory=dict)
    lake_url: str = str(ROOT / "lake")
    spark_dir: Path = SPARK_HOME_DIR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Warehouse:
        env = os.environ if env is None else env
        target = env.get("WAREHOUSE_TARGET", "").strip() or "duckdb"
        if target not in TARGETS:
            raise ConfigError(
                f"WAREHOUSE_TARGET: {target!r} is not a target (duckdb, postgres or spark)"
            )
        path = Path(env.get("WAREHOUSE_PATH", "").strip() or "warehouse.duckdb")
        pg = {
            "host": env.get("PGHOST") or "127.0.0.1",
            "port": env.get("PGPORT") or "5432",
            "user": env.get("PGUSER") or "postgres",
            "password": env.get("PGPASSWORD") or "",
            "dbname": env.get("PGDATABASE") or "postgres",
        }
        lake = env.get("LAKE_URL", "").strip() or "lake"
        if "://" not in lake:  # a local folder, relative to the project like WAREHOUSE_PATH
            lake = str((ROOT / lake).resolve()) if not Path(lake).is_absolute() else lake
        duckdb_path = (ROOT / path).resolve() if not path.is_absolute() else path
        spark_dir = Path(env.get("SPARK_DIR", "").strip() or SPARK_HOME_DIR)
        spark_dir = (ROOT / spark_dir).resolve() if not spark_dir.is_absolute() else spark_dir
        return cls(target, duckdb_path, pg, lake.rstrip("/"), spark_dir)

    @property
    def label(self) -> str:
        if self.target == "duckdb":
            return f"duckdb {self.duckdb_path}"
        if self.target == "spark":
            return f"spark, bronze in {self.lake_url}"
        return f"postgres {self.pg['user']}@{self.pg['host']}:{self.pg['port']}/{self.pg['dbname']}"

    def check(self) -> None:
        """Fail with one line when the warehouse cannot be reached, before anything runs."""
        if self.target == "duckdb":
            if not self.duckdb_path.parent.is_dir():
                raise ConfigError(
                    f"WAREHOUSE_PATH: folder {self.duckdb_path.parent} does not exist"
                )
            return
        if self.target == "spark":
            self._check_spark()
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

    def _check_spark(self) -> None:
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise ConfigError(
                "WAREHOUSE_TARGET=spark: Spark is not installed; `make run TARGET=spark` installs "
                "it (or `uv sync --group spark`)"
            ) from None
        if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
            raise ConfigError(
                "WAREHOUSE_TARGET=spark: no Java (java on PATH or JAVA_HOME); install Java 17, "
                "e.g. `apt-get install openjdk-17-jre-headless`"
            )
        if "://" not in self.lake_url and not Path(self.lake_url).parent.is_dir():
            raise ConfigError(f"LAKE_URL: folder {Path(self.lake_url).parent} does not exist")

    def destination(self) -> Destination[Any, Any]:
        if self.target == "spark":
            # Plain Parquet files, one folder per table: dlt's merge falls back to append there,
            # and dbt resolves the latest load per key (macros/lake_bronze.sql).
            return dlt.destinations.filesystem(bucket_url=self.lake_url)
        if self.target == "duckdb":
            # 63 like Postgres, so that long nested table names come out the same on both.
            credentials = DuckDbCredentials(str(self.duckdb_path), global_config=DUCKDB_LOAD)
            # One load job at a time: DuckDB runs each statement on every core, and dlt's 20
            # parallel jobs only shared the memory cap between them (the load took 1.3x as long
            # at bench size M, and a 200 MB cap ran out of memory).
            return dlt.destinations.duckdb(
                credentials, max_identifier_length=63, loader_parallelism_strategy="sequential"
            )
        credentials = PostgresCredentials()
        credentials.host, credentials.port = self.pg["host"], int(self.pg["port"])
        credentials.username, credentials.database = self.pg["user"], self.pg["dbname"]
        credentials.password = self.pg["password"]
        # Resolved as given: an empty PGPASSWORD is valid (trust or peer authentication),
        # which dlt's own resolution would report as a missing field.
        credentials.resolve()
        # No unique index on _dlt_id: a load killed after a COPY committed replays that file
        # on the next run, and the index would fail the replay forever (keys are deduplicated by
        # the merge, or by the repair after it: pipeline.repair_duplicate_keys).
        return dlt.destinations.postgres(credentials=credentials, create_indexes=False)

    @property
    def loader_file_format(self) -> str:
        """Bulk formats: DuckDB reads jsonl, Postgres COPYs csv (3x faster, a seventh of the
        memory of dlt's default INSERT statements)."""
        return {"duckdb": "jsonl", "spark": "parquet"}.get(self.target, "csv")

    @property
    def arrow_file_format(self) -> str:
        """Files of the tables the source yields as Arrow (analytics): parquet, which DuckDB
        reads natively and dlt writes without converting; csv for Postgres' COPY, written by
        pyarrow. Forcing `loader_file_format` on them would convert Arrow to dicts."""
        return "csv" if self.target == "postgres" else "parquet"

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
        if self.target == "spark":
            env.update(spark_env(self.spark_dir), LAKE_URL=self.lake_url)
            env["SPARK_DIR"] = str(self.spark_dir)
        return env


LOG4J_ERRORS_ONLY = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def spark_env(home: Path = SPARK_HOME_DIR) -> dict[str, str]:
    """Environment for Spark on this machine (dbt's session, or a cluster started here): loopback
    only, and a `spark-defaults.conf` that every Spark process reads, which puts the metastore,
    the managed tables and Derby's log at absolute paths under `home` (the project's `.spark`, or
    SPARK_DIR)."""
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    defaults = {
        "spark.sql.warehouse.dir": home / "warehouse",
        # Derby, Spark's default metastore: one process at a time (dbt's session or the server).
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={home / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={home}",
        # Bronze folders gain columns as the API does: read the union of the files' columns.
        "spark.sql.parquet.mergeSchema": "true",
        "spark.sql.session.timeZone": "UTC",
        # Few, small partitions: Spark's default of 200 per shuffle costs seconds on every query
        # of a tiny table (a real cluster sets its own).
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    files = {
        "spark-defaults.conf": "".join(f"{key} {value}\n" for key, value in defaults.items()),
        # Errors only: dbt reports what failed; Spark's INFO and WARN lines would drown it.
        "log4j2.properties": LOG4J_ERRORS_ONLY,
    }
    for name, text in files.items():
        path = conf_dir / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return {
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        "SPARK_CONF_DIR": str(conf_dir),
    }


def build_pipeline(warehouse: Warehouse) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=warehouse.destination(),
        dataset_name=DATASET,
        pipelines_dir=str(warehouse.pipelines_dir()),
    )
