"""No secret in any log, exception, dlt trace, state file or load package."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import ROOT
from tests.support.cli import assert_no_secret_anywhere, ingest
from tests.support.sandbox import source_env

pytestmark = pytest.mark.e2e


def test_tokens_never_reach_logs_traces_state_or_the_warehouse(tmp_path: Path) -> None:
    # given a sandbox whose token expires mid-run (so a refresh mints a second token), a
    # revoked-token failure afterwards, and debug logging everywhere
    with run_sandbox(SandboxConfig(token_expires_after_calls=150, fault_rate=0.05)) as sandbox:
        env = {
            **os.environ,
            "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
            "INGEST_PIPELINES_DIR": str(tmp_path / "pipelines"),
            **source_env(sandbox, refresh=True, max_backoff=0.2),
            "RUNTIME__LOG_LEVEL": "DEBUG",
        }
        secrets = [sandbox.access_token, sandbox.refresh_token, sandbox.client_secret]
        ok = ingest(env, "--debug", "load")
        secrets.append(sandbox.access_token)  # the token minted by the refresh
        sandbox.configure(token_revoked=True)
        failed = ingest(env, "load")
        refreshes = sandbox.stats.tokens_refreshed

    # then the runs did what they should
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert refreshes >= 1
    assert failed.returncode != 0
    assert re.search(r"check SOURCES__LINKEDIN_ADS__(ACCESS|REFRESH)_TOKEN", failed.stderr)

    # and no secret appears in their output, the dlt working folder (state, trace, packages)
    # or the warehouse file
    outputs = {
        "load output": ok.stdout + ok.stderr,
        "failure output": failed.stdout + failed.stderr,
    }
    searched = assert_no_secret_anywhere(secrets, outputs, tmp_path)
    assert any("pipelines" in where for where in searched)


def test_secrets_file_and_warehouse_are_never_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", ".dlt/secrets.toml", "warehouse.duckdb", ".venv/", "target/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored.stdout.split() == [".dlt/secrets.toml", "warehouse.duckdb", ".venv/", "target/"]
