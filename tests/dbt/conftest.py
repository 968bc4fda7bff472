"""The warehouse the docs-site and semantic-layer tests read: built once for both."""

from __future__ import annotations

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import Warehouse
from tests.support.dbt_project import build
from tests.support.env import scrub_settings
from tests.support.sandbox import load


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The sandbox loaded and built into a DuckDB file (what `make run` leaves); read only."""
    folder = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as monkeypatch:
        scrub_settings(monkeypatch, folder / "pipelines")  # isolated_settings is function-scoped
        warehouse = Warehouse.from_env({"WAREHOUSE_PATH": str(folder / "warehouse.duckdb")})
        with run_sandbox(SandboxConfig()) as sandbox:
            load(warehouse, sandbox)
        build(warehouse)
    return warehouse
