"""Superset as `make bi` runs it, for tests: bi/.venv installed, set up on a warehouse, served on a
free loopback port, and asked through its REST API as a person's script would."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ingest.warehouse import ROOT, Warehouse

BI = ROOT / "bi"
BI_PYTHON = BI / ".venv" / "bin" / "python"
DASHBOARD_SLUG = "linkedin-ads"


def uv() -> str | None:
    """uv as the Makefile finds it: on PATH, else the copy `make` installs in .tools."""
    return shutil.which("uv") or next(
        (str(path) for path in [ROOT / ".tools" / "bin" / "uv"] if path.exists()), None
    )


def install() -> str | None:
    """`uv sync --locked --project bi`, as `make bi` does; the reason when it cannot run."""
    executable = uv()
    if executable is None:
        return "no uv to install bi/.venv with (make installs it in .tools)"
    result = subprocess.run(
        [executable, "sync", "--locked", "--project", str(BI), "--python", "python3"],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if result.returncode != 0:
        return f"uv sync of bi/ failed: {result.stderr.strip().splitlines()[-1:]}"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Superset:
    """A running Superset: its address and an API client logged in as the admin."""

    url: str
    password: str
    api: httpx.Client

    def dashboard_charts(self) -> list[dict[str, Any]]:
        """The dashboard's charts (id, slice_name, form_data) as the dashboard API lists them."""
        answer = self.api.get(f"/api/v1/dashboard/{DASHBOARD_SLUG}/charts")
        answer.raise_for_status()
        return answer.json()["result"]

    def chart_data(self, chart_id: int) -> httpx.Response:
        """Run a chart's saved query through Superset (GET /api/v1/chart/<id>/data/)."""
        return self.api.get(f"/api/v1/chart/{chart_id}/data/")


@contextmanager
def serve(warehouse: Warehouse, home: Path) -> Iterator[Superset]:
    """Set up Superset on `warehouse` (metadata in `home`) and serve it until the block ends."""
    port = free_port()
    log = (home.parent / f"{home.name}.log").open("w")
    command = [str(BI_PYTHON), str(BI / "setup_superset.py"), "--home", str(home)]
    server = subprocess.Popen(
        [*command, "--serve", "--port", str(port)],
        env={**warehouse.dbt_env(), "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # gunicorn and its worker stop together with the group
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, home.parent / f"{home.name}.log")
        password = (home / "admin_password").read_text().strip()
        with httpx.Client(base_url=url, timeout=120) as api:
            token = api.post(
                "/api/v1/security/login",
                json={"username": "admin", "password": password, "provider": "db"},
            ).json()["access_token"]
            api.headers["Authorization"] = f"Bearer {token}"
            # Writes (POST, PUT) also need Superset's CSRF token, bound to the session cookie
            # the client keeps.
            csrf = api.get("/api/v1/security/csrf_token/").json()["result"]
            api.headers.update({"X-CSRFToken": csrf, "Referer": url})
            yield Superset(url, password, api)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for /health (setup migrates, imports, then gunicorn starts); fail with the log."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"Superset exited ({server.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise AssertionError(f"Superset did not answer on {url}:\n{log.read_text()[-3000:]}")
