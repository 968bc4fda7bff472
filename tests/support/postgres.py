"""The test Postgres server (PG* variables) and throwaway databases on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from ingest.warehouse import Warehouse

SERVER = {
    "host": os.environ.get("PGHOST") or "127.0.0.1",
    "port": os.environ.get("PGPORT") or "5432",
    "user": os.environ.get("PGUSER") or "postgres",
    "password": os.environ.get("PGPASSWORD") or "",
}


def required() -> bool:
    """CI or REQUIRE_POSTGRES=1: an unreachable server fails the Postgres tests."""
    return (
        os.environ.get("CI", "").lower() in ("1", "true")
        or os.environ.get("REQUIRE_POSTGRES") == "1"
    )


def unreachable() -> str | None:
    """Why the server cannot be reached, or None when it answers."""
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=3, **SERVER).close()
    except psycopg2.Error as error:
        reason = str(error).strip().splitlines()[0]
        return f"no Postgres at {SERVER['host']}:{SERVER['port']}: {reason}"
    return None


def _admin(sql: str) -> None:
    con = psycopg2.connect(dbname="postgres", **SERVER)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
    finally:
        con.close()


@contextmanager
def database() -> Iterator[Warehouse]:
    """A fresh, empty database as a warehouse, dropped afterwards."""
    name = f"lia_test_{uuid.uuid4().hex[:10]}"
    _admin(f'create database "{name}"')
    try:
        yield Warehouse.from_env(
            {
                "WAREHOUSE_TARGET": "postgres",
                "PGHOST": SERVER["host"],
                "PGPORT": SERVER["port"],
                "PGUSER": SERVER["user"],
                "PGPASSWORD": SERVER["password"],
                "PGDATABASE": name,
            }
        )
    finally:
        _admin(f'drop database if exists "{name}" with (force)')
