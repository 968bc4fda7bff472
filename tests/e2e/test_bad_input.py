"""Bad input: one line naming the setting or the API message, a non-zero exit, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.__main__ import EXIT_API_REFUSED, main
from ingest.sandbox import SandboxConfig, run_sandbox
from tests.support.sandbox import source_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with run_sandbox(SandboxConfig()) as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sandbox: Any) -> dict[str, str]:
    """Settings of a run against the sandbox through the configured-credentials path."""
    values = {"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"), **source_env(sandbox)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.parametrize(
    ("settings", "exit_code", "message"),
    [
        (
            {"SOURCES__LINKEDIN_ADS__START_DATE": "2026-02-30"},
            2,
            "error: SOURCES__LINKEDIN_ADS__START_DATE: '2026-02-30' is not a date",
        ),
        ({"SOURCES__LINKEDIN_ADS__START_DATE": "2999-01-01"}, 2, "is in the future"),
        (
            {"SOURCES__LINKEDIN_ADS__ACCOUNT_IDS": "999"},
            2,
            "error: SOURCES__LINKEDIN_ADS__ACCOUNT_IDS: no ad account 999 among the",
        ),
        ({"WAREHOUSE_TARGET": "oracle"}, 2, "error: WAREHOUSE_TARGET: 'oracle' is not a target"),
        (
            {"SOURCES__LINKEDIN_ADS__API_VERSION": "202301"},
            EXIT_API_REFUSED,
            "Requested version 20230101 is not active",
        ),
        (
            {"SOURCES__LINKEDIN_ADS__ACCESS_TOKEN": "revoked-or-mistyped"},
            EXIT_API_REFUSED,
            "SOURCES__LINKEDIN_ADS__ACCESS_TOKEN",
        ),
        (
            {"SOURCES__LINKEDIN_ADS__ACCESS_TOKEN": ""},
            2,
            "error: SOURCES__LINKEDIN_ADS__ACCESS_TOKEN: not set, but SOURCES__LINKEDIN_ADS__BASE",
        ),
        (
            {"WAREHOUSE_TARGET": "postgres", "PGHOST": "127.0.0.1", "PGPORT": "1"},
            2,
            "error: WAREHOUSE_TARGET=postgres: cannot connect to postgres",
        ),
    ],
)
def test_bad_input_fails_with_one_line_and_writes_nothing(
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: dict[str, str],
    exit_code: int,
    message: str,
) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    code = main(["load"])

    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == exit_code
    assert len(errors) == 1, err
    assert message in errors[0]
    assert "Traceback" not in err
    assert not Path(env["WAREHOUSE_PATH"]).exists()


def test_version_error_says_which_setting_to_raise(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__API_VERSION", "202301")
    assert main(["load"]) == EXIT_API_REFUSED
    assert "SOURCES__LINKEDIN_ADS__API_VERSION" in capsys.readouterr().err
