"""Shared fixtures: isolated settings, a sandbox API, and DuckDB / Postgres warehouses.

Postgres tests skip with a reason when no server answers, unless CI or REQUIRE_POSTGRES=1 is set:
then an unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from ingest.pipeline import Warehouse

PG = {
    "host": os.environ.get("PGHOST") or "127.0.0.1",
    "port": os.environ.get("PGPORT") or "5432",
    "user": os.environ.get("PGUSER") or "postgres",
    "password": os.environ.get("PGPASSWORD") or "",
}


def postgres_required() -> bool:
    return (
        os.environ.get("CI", "").lower() in ("1", "true")
        or os.environ.get("REQUIRE_POSTGRES") == "1"
    )


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user credentials or warehouse settings leak into a test; dlt state stays in tmp_path."""
    for name in list(os.environ):
        if name.startswith(("SOURCES__LINKEDIN_ADS__", "WAREHOUSE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("INGEST_PIPELINES_DIR", str(tmp_path / "pipelines"))


@pytest.fixture(scope="session")
def postgres_server() -> dict[str, str]:
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=3, **PG).close()
    except psycopg2.Error as error:
        reason = f"no Postgres at {PG['host']}:{PG['port']}: {str(error).strip().splitlines()[0]}"
        if postgres_required():
            pytest.fail(f"{reason} (CI or REQUIRE_POSTGRES=1 requires it)")
        pytest.skip(reason)
    return PG


def create_database(server: dict[str, str]) -> str:
    name = f"lia_test_{uuid.uuid4().hex[:10]}"
    con = psycopg2.connect(dbname="postgres", **server)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'create database "{name}"')
    con.close()
    return name


def drop_database(server: dict[str, str], name: str) -> None:
    con = psycopg2.connect(dbname="postgres", **server)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    con.close()


@pytest.fixture
def postgres_warehouse(postgres_server: dict[str, str]) -> Iterator[Warehouse]:
    """A fresh, empty Postgres database for one test."""
    name = create_database(postgres_server)
    try:
        yield Warehouse.from_env(
            {
                "WAREHOUSE_TARGET": "postgres",
                "PGHOST": postgres_server["host"],
                "PGPORT": postgres_server["port"],
                "PGUSER": postgres_server["user"],
                "PGPASSWORD": postgres_server["password"],
                "PGDATABASE": name,
            }
        )
    finally:
        drop_database(postgres_server, name)


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse.from_env({"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")})
