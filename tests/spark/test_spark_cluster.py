"""A real Spark cluster on loopback: a standalone master, one worker and a Thrift server, started
from the pyspark package's own scripts. The pipeline loads the sandbox into a Parquet lake, dbt
builds on the cluster through Thrift, and every gold table equals the DuckDB build of the same
data, row for row, before and after an incremental run over restated conversions."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse, spark_env
from tests.support.dbt_project import build, build_without_tests
from tests.support.gold import snapshot
from tests.support.sandbox import load
from tests.support.warehouse import count, duplicate_keys

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

try:
    import pyspark
except ImportError:  # the optional `spark` group; `make test` installs it
    pyspark = None
# A small advertiser: the cluster test's time goes to Spark's per-query cost, not to data.
SMALL = SandboxConfig(accounts=1, campaigns=4, creatives=12, days=60)
START_SECONDS = 180


def llap_signer_classes(home: Path) -> Path:
    """`LlapSigner.java` compiled into `home`: the class Hive's function registry needs and Spark 4
    no longer ships. Without it a session's close can make Hive load that registry on a Thrift
    worker thread; the error kills the thread before it answers (the client waits forever) and
    leaves Hive's "registering functions" flag set, so every later close waits too."""
    javac = shutil.which("javac") or Path(os.environ.get("JAVA_HOME", "/nonexistent"), "bin/javac")
    if not Path(javac).exists():
        message = "no javac (a JDK) to compile the Thrift server's LlapSigner stand-in"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (make test installs openjdk-17-jdk-headless)")
        pytest.skip(f"{message}: `make test` installs it")
    classes = home / "llap-classes"
    source = Path(__file__).with_name("LlapSigner.java")
    subprocess.run([str(javac), "-d", str(classes), str(source)], check=True)
    return classes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[1]} exited ({process.returncode}); see {log}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after {START_SECONDS} s; see {log}")


@pytest.fixture(scope="module")
def thrift_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Master, worker and Thrift server on 127.0.0.1; each stopped by its process id."""
    if pyspark is None:
        pytest.fail("pyspark is missing: install the spark group (`uv sync --group spark`)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        if os.environ.get("CI"):
            pytest.fail("no Java on this machine (make test installs openjdk-17-jre-headless)")
        pytest.skip("no Java (java on PATH or JAVA_HOME): `make test` installs it")
    spark_bin = Path(pyspark.__file__).parent / "bin"
    home = tmp_path_factory.mktemp("spark")
    env = {**os.environ, **spark_env(home), "SPARK_HOME": str(spark_bin.parent)}
    master_port, port = free_port(), free_port()
    master = f"spark://127.0.0.1:{master_port}"
    commands = {
        "master": [
            spark_bin / "spark-class",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(master_port)),
            *("--webui-port", str(free_port())),
        ],
        "worker": [
            spark_bin / "spark-class",
            "org.apache.spark.deploy.worker.Worker",
            *("--host", "127.0.0.1", "--cores", "2", "--memory", "1g"),
            *("--webui-port", str(free_port()), "--work-dir", str(home / "work"), master),
        ],
        "thrift": [
            spark_bin / "spark-submit",
            *("--master", master, "--executor-memory", "768m"),
            *("--driver-class-path", str(llap_signer_classes(home))),
            *("--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"),
            "spark-internal",
            *("--hiveconf", f"hive.server2.thrift.port={port}"),
            *("--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1"),
            # Sessions run as the server's user (Hive's default impersonates the client's).
            *("--hiveconf", "hive.server2.enable.doAs=false"),
        ],
    }
    ports = {"master": master_port, "thrift": port}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            log = home / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [str(part) for part in command], env=env, cwd=home, stdout=out, stderr=out
                )
            processes.append(process)
            if name in ports:
                wait_for_port(ports[name], process, log)
        yield port
    finally:
        for process in reversed(processes):  # the Thrift server (and its executors) first
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert all(process.poll() is not None for process in processes)


def assert_same_gold(spark: Warehouse, duckdb: Warehouse) -> None:
    on_spark, on_duckdb = snapshot(spark), snapshot(duckdb)
    assert sorted(on_spark) == sorted(on_duckdb)
    for table, rows in on_duckdb.items():
        assert on_spark[table] == rows, table


def test_gold_on_a_spark_cluster_equals_gold_on_duckdb(
    thrift_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    duckdb_warehouse: Warehouse,
) -> None:
    monkeypatch.setenv("SPARK_METHOD", "thrift")
    monkeypatch.setenv("SPARK_HOST", "127.0.0.1")
    monkeypatch.setenv("SPARK_PORT", str(thrift_port))
    spark = Warehouse.from_env({"WAREHOUSE_TARGET": "spark", "LAKE_URL": str(tmp_path / "lake")})
    with run_sandbox(SMALL) as sandbox:
        # given the same sandbox data in the lake and in DuckDB, built on both (every dbt test,
        # contract and unit test on the cluster, in its one `dbt build`)
        for warehouse in (spark, duckdb_warehouse):
            load(warehouse, sandbox)
        build(spark, unit_tests=True)
        build_without_tests(duckdb_warehouse)
        # then every gold table holds the same rows on both
        assert_same_gold(spark, duckdb_warehouse)

        # when LinkedIn restates the last 10 days and both load and build again, incrementally
        assert sandbox.restate(days=10) > 0
        for warehouse in (spark, duckdb_warehouse):
            load(warehouse, sandbox)
            build_without_tests(warehouse)

    # then gold is still the same on both
    assert_same_gold(spark, duckdb_warehouse)
    # and the lake kept both loads, while bronze shows the latest row of each key
    table, key = "bronze.ad_analytics_by_creative", ["pivot_value", "start_date"]
    assert duplicate_keys(spark, table, key) == 0
    assert count(spark, table) == count(duckdb_warehouse, table)
    lake_rows = count(spark, f"parquet.`{spark.lake_url}/{table.replace('.', '/')}`")
    assert lake_rows > count(spark, table)
