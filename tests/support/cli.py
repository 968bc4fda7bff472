"""`python -m ingest` as a scheduler runs it (a child process), and the check that no secret
reached its output, dlt's working folder or the warehouse."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from ingest.warehouse import ROOT


def ingest(
    env: Mapping[str, str], *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ingest <args>` with exactly `env`; its output is captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def assert_no_secret_anywhere(
    secrets: Iterable[str], outputs: Mapping[str, str], folder: Path, skip: Iterable[Path] = ()
) -> list[str]:
    """No secret in any of the named `outputs`, nor in any file under `folder` (but `skip`).

    Returns where it looked, so a test can check that the folders it expects were there."""
    searched = dict(outputs)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path not in set(skip):
            searched[str(path)] = path.read_bytes().decode("latin-1")
    for secret in secrets:
        assert len(secret) >= 8, "too short to search for"
        leaks = [where for where, text in searched.items() if secret in text]
        assert leaks == [], f"a secret leaked into {leaks}"
    return list(searched)
