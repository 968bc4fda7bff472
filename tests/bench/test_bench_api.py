"""`make bench API=<base URL>`: the bench against another emulator of LinkedIn's API, which it
knows only through what it served (tests/emulator, written without the sandbox or the client)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import run
from ingest.linkedin_ads.config import SETTING_PREFIX
from tests.emulator import Emulator, EmulatorConfig


@pytest.mark.e2e
def test_the_bench_measures_another_emulator_within_1_1x_of_the_lower_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results.md"
    with Emulator(EmulatorConfig()) as emulator:
        monkeypatch.setenv(f"{SETTING_PREFIX}ACCESS_TOKEN", emulator.access_token)
        monkeypatch.setenv(f"{SETTING_PREFIX}START_DATE", emulator.first_day.isoformat())
        argv = ["--api", emulator.base_url, "--latency-ms", "150", "--results", str(results)]
        assert run.main(argv) == 0
    text = results.read_text()
    assert f"#### {emulator.base_url}: from {emulator.first_day}; 150 ms" in text
    total = re.search(r"^\| \*\*all adAnalytics\*\* \| ([\d,]+) \| ([\d,]+) \|", text, re.M)
    assert total, text
    requests, bound = (int(group.replace(",", "")) for group in total.groups())
    assert requests == sum(emulator.analytics_requests.values())
    assert 0 < requests <= 1.1 * bound
    assert "- dbt full build (DuckDB)" in text


def test_the_bench_asks_for_the_token_of_another_api(tmp_path: Path) -> None:
    argv = ["--api", "http://127.0.0.1:9/rest", "--results", str(tmp_path / "results.md")]
    with pytest.raises(SystemExit, match=f"{SETTING_PREFIX}ACCESS_TOKEN"):
        run.main(argv)
