"""Fixtures of the dashboard tests: bi/.venv installed, gold built from the sandbox on each engine
with the analyses' answers, and Superset served on it.

The gold builds skip dbt's own tests (the e2e suite runs them): these tests compare the dashboard
with gold, not gold with the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest

from ingest import dbt_runner
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.bi import superset
from tests.support import postgres
from tests.support.dbt_project import build_without_tests
from tests.support.env import scrub_settings
from tests.support.sandbox import load

ANALYSES = dbt_runner.DBT_PROJECT_DIR / "target" / "compiled" / "linkedin_ads" / "analyses"


@dataclass
class Gold:
    """A warehouse with gold built, and each dashboard analysis's rows asked of it directly."""

    warehouse: Warehouse
    analyses: dict[str, list[dict[str, Any]]]


def records(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts, on either engine."""
    if warehouse.target == "duckdb":
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
            cursor = con.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    with psycopg2.connect(**warehouse.pg) as con, con.cursor() as cur:
        cur.execute(sql)
        names = [column[0] for column in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def build_gold(warehouse: Warehouse, pipelines_dir: Path) -> Gold:
    """Load the sandbox, build gold, compile dbt_project/analyses and run them on gold."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        scrub_settings(monkeypatch, pipelines_dir)
        with run_sandbox(SandboxConfig()) as sandbox:
            load(warehouse, sandbox)
        build_without_tests(warehouse)
        dbt_runner.dbt(warehouse, "compile", "--select", "resource_type:analysis")
        return Gold(
            warehouse,
            {path.stem: records(warehouse, path.read_text()) for path in ANALYSES.glob("*.sql")},
        )


@pytest.fixture(scope="session")
def bi_installed() -> None:
    """bi/.venv synced from bi/uv.lock; a clear skip only where no install is possible and
    neither CI nor REQUIRE_POSTGRES asks for every test to run."""
    if reason := superset.install():
        if postgres.required():
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def duckdb_gold(tmp_path_factory: pytest.TempPathFactory) -> Gold:
    folder = tmp_path_factory.mktemp("bi_duckdb")
    warehouse = Warehouse.from_env({"WAREHOUSE_PATH": str(folder / "warehouse.duckdb")})
    return build_gold(warehouse, folder / "pipelines")


@pytest.fixture(scope="session")
def postgres_gold(
    postgres_server: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gold]:
    folder = tmp_path_factory.mktemp("bi_postgres")
    with postgres.database() as warehouse:
        yield build_gold(warehouse, folder / "pipelines")


@pytest.fixture(scope="session")
def duckdb_superset(
    bi_installed: None, duckdb_gold: Gold, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[superset.Superset]:
    home = tmp_path_factory.mktemp("superset_duckdb") / "home"
    with superset.serve(duckdb_gold.warehouse, home) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_superset(
    bi_installed: None, postgres_gold: Gold, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[superset.Superset]:
    home = tmp_path_factory.mktemp("superset_postgres") / "home"
    with superset.serve(postgres_gold.warehouse, home) as running:
        yield running
