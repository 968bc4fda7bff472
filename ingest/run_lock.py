"""One run at a time per warehouse: a lock the operating system or the database releases when the
holder dies.

DuckDB: an exclusive `flock` on `<warehouse file>.lock` beside the warehouse file; Spark: the same
on `run.lock` in Spark's folder (`.spark` in the project, or `SPARK_DIR`; a shared cloud lake
written from several machines needs its scheduler to run one job at a time). Postgres: a
session-level advisory lock (`pg_try_advisory_lock`) on a connection held open for the whole run;
advisory locks live in one database, so two databases on one server never block each other. A
run that cannot take the lock within `WAREHOUSE_LOCK_TIMEOUT` seconds (default 0: do not wait)
raises `WarehouseBusy`, before it has read the API or written anything.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ingest.linkedin_ads.config import ConfigError

if TYPE_CHECKING:
    from ingest.warehouse import Warehouse

TIMEOUT_SETTING = "WAREHOUSE_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 0.0
POLL_SECONDS = 0.2


class WarehouseBusy(Exception):
    """Another run holds the warehouse's lock."""


def timeout_from_env(env: dict[str, str] | None = None) -> float:
    """Seconds to wait for the lock: WAREHOUSE_LOCK_TIMEOUT, else 0 (exit at once)."""
    raw = (os.environ if env is None else env).get(TIMEOUT_SETTING, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise ConfigError(f"{TIMEOUT_SETTING}: {raw!r} is not a number of seconds (0..86400)")
    return seconds


def lock_path(warehouse: Warehouse) -> str:
    if warehouse.target == "spark":
        warehouse.spark_dir.mkdir(parents=True, exist_ok=True)
        return str(warehouse.spark_dir / "run.lock")
    return f"{warehouse.duckdb_path}.lock"


def advisory_key(dbname: str) -> int:
    """A stable signed 64-bit key for this project's runs in one database."""
    digest = hashlib.sha256(f"linkedin_ads run {dbname}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def hold(warehouse: Warehouse, timeout: float | None = None) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; WarehouseBusy when another run keeps it
    longer than `timeout` seconds (WAREHOUSE_LOCK_TIMEOUT when None)."""
    seconds = timeout_from_env() if timeout is None else timeout
    if warehouse.target in ("duckdb", "spark"):
        with _file_lock(warehouse, seconds):
            yield
    else:
        with _advisory_lock(warehouse, seconds):
            yield


def _wait(try_once: Callable[[], bool], seconds: float, busy: str) -> None:
    deadline = time.monotonic() + seconds
    while not try_once():
        if time.monotonic() >= deadline:
            raise WarehouseBusy(
                f"another run holds {busy}; waited {seconds:g} s ({TIMEOUT_SETTING} sets how long)"
            )
        time.sleep(POLL_SECONDS)


@contextmanager
def _file_lock(warehouse: Warehouse, seconds: float) -> Iterator[None]:
    path = lock_path(warehouse)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:

        def try_once() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _wait(try_once, seconds, f"the warehouse {warehouse.label} (lock file {path})")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(warehouse: Warehouse, seconds: float) -> Iterator[None]:
    import psycopg2

    key = advisory_key(warehouse.pg["dbname"])
    connection = psycopg2.connect(
        connect_timeout=5, application_name="linkedin_ads lock", **warehouse.pg
    )
    connection.autocommit = True
    try:
        cursor = connection.cursor()

        def try_once() -> bool:
            cursor.execute("select pg_try_advisory_lock(%s)", (key,))
            return bool(cursor.fetchone()[0])

        _wait(try_once, seconds, f"the warehouse {warehouse.label} (advisory lock {key})")
        try:
            yield
        finally:
            if not connection.closed:
                cursor.execute("select pg_advisory_unlock(%s)", (key,))
    finally:
        connection.close()
