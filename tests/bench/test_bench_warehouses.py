"""The bench's warehouses are throwaways: Spark's lake and folders (metastore, tables, logs) in
the bench's temporary folder, never the project's `lake/` and `.spark/`, and dbt's own session."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import run
from ingest import run_lock
from ingest.warehouse import ROOT, SPARK_HOME_DIR, Warehouse


def test_the_spark_warehouse_lives_in_the_bench_folder(tmp_path: Path) -> None:
    with run._warehouse("spark", tmp_path) as warehouse:
        assert warehouse.target == "spark"
        assert warehouse.lake_url == str(tmp_path / "lake")
        assert warehouse.spark_dir == tmp_path / "spark"
        env = warehouse.dbt_env()
    # dbt's Spark reads its settings from the bench's folder, whose metastore and tables are there
    assert env["SPARK_CONF_DIR"] == str(tmp_path / "spark" / "conf")
    assert env["SPARK_DIR"] == str(tmp_path / "spark")
    defaults = (tmp_path / "spark" / "conf" / "spark-defaults.conf").read_text()
    assert f"databaseName={tmp_path / 'spark' / 'metastore_db'}" in defaults
    assert f"spark.sql.warehouse.dir {tmp_path / 'spark' / 'warehouse'}" in defaults
    assert str(ROOT / ".spark") not in defaults
    assert run_lock.lock_path(warehouse) == str(tmp_path / "spark" / "run.lock")


def test_spark_dir_defaults_to_the_project_and_resolves_like_the_other_paths() -> None:
    assert Warehouse.from_env({"WAREHOUSE_TARGET": "spark"}).spark_dir == SPARK_HOME_DIR
    relative = Warehouse.from_env({"WAREHOUSE_TARGET": "spark", "SPARK_DIR": "elsewhere/spark"})
    assert relative.spark_dir == ROOT / "elsewhere" / "spark"


def test_the_bench_runs_dbt_on_spark_in_its_own_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the user's cluster settings must not send the bench's builds to that cluster
    monkeypatch.setenv("SPARK_METHOD", "thrift")
    sandbox = SimpleNamespace(
        base_url="http://127.0.0.1:1/rest",
        oauth_url="http://127.0.0.1:1/oauth/v2",
        access_token="token",
        advertiser=SimpleNamespace(first_day=date(2026, 1, 1)),
    )
    with run._warehouse("spark", tmp_path) as warehouse:
        env = run.sandbox_env(sandbox, warehouse, tmp_path)
    assert env["SPARK_METHOD"] == "session"
    assert env["WAREHOUSE_TARGET"] == "spark"
    assert env["LAKE_URL"] == str(tmp_path / "lake")
    assert Warehouse.from_env(env).spark_dir == tmp_path / "spark"
    with run._warehouse("duckdb", tmp_path) as duckdb:
        assert run.sandbox_env(sandbox, duckdb, tmp_path)["SPARK_METHOD"] == "thrift"
