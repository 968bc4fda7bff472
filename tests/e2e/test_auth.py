"""`python -m ingest auth` against the sandbox's OAuth, then a load that uses and refreshes the
saved token: the secrets file is 0600, holds the refreshed token, and no token leaks."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import tomlkit

from ingest.linkedin_ads.config import SETTING_PREFIX
from ingest.sandbox import SandboxConfig, run_sandbox
from ingest.warehouse import ROOT
from tests.support.cli import assert_no_secret_anywhere, ingest

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def section(path: Path) -> dict[str, str]:
    return tomlkit.parse(path.read_text()).unwrap()["sources"]["linkedin_ads"]


def test_sign_in_then_a_load_that_refreshes_and_saves_the_token(tmp_path: Path) -> None:
    project = tmp_path / "project"
    secrets_file = project / ".dlt" / "secrets.toml"
    secrets_file.parent.mkdir(parents=True)
    with run_sandbox(SandboxConfig()) as sandbox:
        # given an app's client id and secret in the secrets file, beside a section of its own
        secrets_file.write_text(
            '[destination.other]\nkey = "kept"\n\n'
            f'[sources.linkedin_ads]\nclient_id = "{sandbox.client_id}"\n'
            f'client_secret = "{sandbox.client_secret}"\n'
        )
        env = {
            **os.environ,
            "DLT_PROJECT_DIR": str(project),
            "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
            "INGEST_PIPELINES_DIR": str(tmp_path / "pipelines"),
            "RUNTIME__LOG_LEVEL": "DEBUG",
            f"{SETTING_PREFIX}OAUTH_URL": sandbox.oauth_url,
            f"{SETTING_PREFIX}BASE_URL": sandbox.base_url,
            f"{SETTING_PREFIX}REDIRECT_URI": f"http://127.0.0.1:{free_port()}/callback",
            f"{SETTING_PREFIX}MAX_BACKOFF": "0.2",
        }

        # when the member follows the printed URL (the sandbox approves and redirects to the
        # loopback callback)
        auth = subprocess.Popen(
            [sys.executable, "-m", "ingest", "auth", "--no-browser", "--timeout", "60"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert auth.stdout is not None
        printed = []
        for line in auth.stdout:
            printed.append(line)
            if line.strip().startswith(f"{sandbox.oauth_url}/authorization?"):
                break
        url = printed[-1].strip()
        assert "scope=r_ads%20r_ads_reporting" in url
        page = httpx.get(url, follow_redirects=True, timeout=30)
        rest, auth_err = auth.communicate(timeout=60)
        auth_out = "".join(printed) + rest

        # then the tokens are in a 0600 file, the other section is kept, and the output gives
        # the expiry dates
        assert auth.returncode == 0, auth_err
        assert page.status_code == 200
        assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
        signed_in = section(secrets_file)
        assert tomlkit.parse(secrets_file.read_text()).unwrap()["destination"] == {
            "other": {"key": "kept"}
        }
        assert signed_in["access_token"].startswith("AQV-")
        assert signed_in["refresh_token"].startswith("AQW-")
        assert signed_in["access_token_expires_at"].endswith("Z")
        assert "access token expires" in auth_out
        assert "refresh token expires" in auth_out

        # when a load reads the token from the file and the token expires mid-run
        sandbox.configure(token_expires_after_calls=40)
        load = ingest(env, "--debug", "load")
        refreshes = sandbox.stats.tokens_refreshed
        saved = section(secrets_file)
        credentials = {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret}
        introspect = f"{sandbox.oauth_url}/introspectToken"
        saved_is_active = httpx.post(
            introspect, data={**credentials, "token": saved["access_token"]}
        ).json()["active"]

    # then the run refreshed, and the file holds the token it refreshed to, still 0600
    assert load.returncode == 0, load.stderr[-2000:]
    assert refreshes >= 1
    assert saved["access_token"] != signed_in["access_token"]
    assert saved_is_active
    assert saved["refresh_token"] == signed_in["refresh_token"]
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600

    # and no token or secret is in any output, dlt's working folder or the warehouse
    secrets = [
        signed_in["access_token"],
        signed_in["refresh_token"],
        saved["access_token"],
        sandbox.client_secret,
    ]
    outputs = {"auth output": auth_out + auth_err, "load output": load.stdout + load.stderr}
    searched = assert_no_secret_anywhere(secrets, outputs, tmp_path, skip=[secrets_file])
    assert any("pipelines" in where for where in searched)
    assert any("warehouse.duckdb" in where for where in searched)
