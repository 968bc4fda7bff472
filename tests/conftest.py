"""Shared fixtures: isolated settings, and DuckDB / Postgres warehouses.

Postgres tests skip with a reason when no server answers, unless CI or REQUIRE_POSTGRES=1 is set:
then an unreachable server fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.warehouse import Warehouse
from tests.support import postgres
from tests.support.env import scrub_settings


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user credentials or warehouse settings leak into a test; dlt state stays in tmp_path."""
    scrub_settings(monkeypatch, tmp_path / "pipelines")


@pytest.fixture(scope="session")
def postgres_server() -> None:
    if reason := postgres.unreachable():
        if postgres.required():
            pytest.fail(f"{reason} (CI or REQUIRE_POSTGRES=1 requires it)")
        pytest.skip(reason)


@pytest.fixture
def postgres_warehouse(postgres_server: None) -> Iterator[Warehouse]:
    """A fresh, empty Postgres database for one test."""
    with postgres.database() as warehouse:
        yield warehouse


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse.from_env({"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")})
