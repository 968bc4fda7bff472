"""The docs site as a person uses it: `python -m ingest docs` (make docs) generates the dbt docs of
a built warehouse and serves them on loopback; the page, opened in headless Chromium, shows the
gold models, their column descriptions and their lineage. The screenshot is the README's."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest import docs_site
from ingest.__main__ import EXIT_BAD_SETTINGS
from ingest.linkedin_ads import ConfigError
from ingest.warehouse import ROOT, Warehouse
from tests.support.browser import Browser, find_chromium, screenshot_path
from tests.support.cli import ingest

FACT = "fct_campaign_performance_daily"
FACT_ID = f"model.linkedin_ads.{FACT}"


def test_a_port_in_use_fails_at_once_with_one_line_naming_docs_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"^DOCS_PORT: cannot serve on 127\.0\.0\.1:{port} "):
            docs_site.server(port)
        # the command line says so before dbt runs (nothing is generated) and exits 2
        env = {**os.environ, "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")}
        result = ingest(env, "docs", "--port", str(port), timeout=120)
    assert result.returncode == EXIT_BAD_SETTINGS
    assert result.stderr.strip().splitlines() == [
        f"error: DOCS_PORT: cannot serve on 127.0.0.1:{port} (Address already in use); "
        "pick another port"
    ]
    assert not (tmp_path / "warehouse.duckdb").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def docs_url(built_warehouse: Warehouse) -> Iterator[str]:
    """`python -m ingest docs --port N` running; its URL, read from what it prints."""
    env = {**built_warehouse.dbt_env(), "WAREHOUSE_PATH": str(built_warehouse.duckdb_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ingest", "docs", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a runner started in the background (`cmd &`, nohup)
        # hands its children SIGINT ignored, and Python then never raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # dbt's output goes to stderr; the first line is the URL
    try:
        assert line.startswith("dbt docs: http://127.0.0.1:"), line or f"exit {process.poll()}"
        yield line.split()[2]
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "docs site stopped" in out


def fetch(url: str) -> bytes:
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, url
    return answer.content


@pytest.mark.e2e
def test_the_served_site_holds_gold_models_descriptions_and_lineage(docs_url: str) -> None:
    assert b"<html" in fetch(docs_url).lower()
    manifest = json.loads(fetch(docs_url + "manifest.json"))
    catalog = json.loads(fetch(docs_url + "catalog.json"))

    # every gold model is documented, with column descriptions, and the catalog read its table
    gold = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "gold"
    }
    assert FACT_ID in gold
    assert "model.linkedin_ads.dim_creatives" in gold
    assert gold[FACT_ID]["description"].startswith("One row per campaign per day")
    impressions = gold[FACT_ID]["columns"]["impressions"]["description"]
    assert impressions.startswith("Impressions (API metric `impressions`)")
    assert set(gold) <= set(catalog["nodes"]), "a gold model has no table in the catalog"
    # lineage: the fact depends on its staging and intermediate models
    assert {
        "model.linkedin_ads.stg_linkedin_ads__ad_analytics_by_campaign",
        "model.linkedin_ads.int_campaigns_scoped",
    } <= set(gold[FACT_ID]["depends_on"]["nodes"])

    # the single-file page is served too, with the manifest inlined
    assert FACT.encode() in fetch(docs_url + "static_index.html")


@pytest.mark.e2e
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium (.ci/run installs it)")
def test_the_page_shows_a_gold_model_its_columns_and_lineage_in_a_browser(
    docs_url: str, tmp_path: Path
) -> None:
    screenshot = screenshot_path("docs_site.png", tmp_path)
    with Browser() as browser:
        browser.goto(f"{docs_url}#!/model/{FACT_ID}")
        # the model page: its name, a column description, and what it depends on
        browser.wait_for(f"document.body.innerText.includes('{FACT}')")
        browser.wait_for("document.body.innerText.includes('Impressions (API metric')")
        text: Any = browser.wait_for(
            "document.body.innerText.includes('int_campaigns_scoped') && document.body.innerText"
        )
        assert "Depends On" in text or "depends on" in text.lower()
        browser.screenshot(screenshot)
    assert screenshot.stat().st_size > 10_000
