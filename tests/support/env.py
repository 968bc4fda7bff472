"""Keep a developer's settings out of tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCRUBBED_PREFIXES = ("SOURCES__LINKEDIN_ADS__", "WAREHOUSE_")


def scrub_settings(monkeypatch: pytest.MonkeyPatch, pipelines_dir: Path) -> None:
    """No user credentials or warehouse settings leak in; dlt's working folders go elsewhere."""
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("INGEST_PIPELINES_DIR", str(pipelines_dir))
