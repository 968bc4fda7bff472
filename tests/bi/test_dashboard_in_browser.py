"""The dashboard as a person sees it: log in to Superset in headless Chromium, open the dashboard,
and every chart draws its data (no error, no "No results"). The screenshot is the README's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.warehouse import ROOT
from tests.bi.superset import DASHBOARD_SLUG, Superset
from tests.support import postgres
from tests.support.browser import Browser, find_chromium, screenshot_path

pytestmark = pytest.mark.e2e

README_IMAGE = "docs/images/dashboard.png"

# One entry per chart on the page: its name, type, and how much it drew (table rows, or the bars,
# lines and points of an ECharts chart), with any error or empty-result message it shows.
CHARTS_ON_PAGE = """
Array.from(document.querySelectorAll('[data-test-chart-id]')).map(chart => ({
    name: chart.querySelector('.header-title, [data-test="editable-title"]')?.innerText
        || chart.getAttribute('data-test-chart-name'),
    viz: chart.getAttribute('data-test-viz-type'),
    rows: chart.querySelectorAll('tbody tr').length,
    marks: chart.querySelectorAll('[_echarts_instance_] path, [_echarts_instance_] canvas').length,
    problem: Array.from(chart.querySelectorAll('.ant-alert, [role="alert"]'))
        .map(alert => alert.innerText).join(' ')
        + (chart.innerText.includes('No results') ? ' No results' : ''),
}))
"""


@pytest.fixture(scope="module")
def chromium() -> None:
    if find_chromium() is None:
        reason = "no Chromium (Debian package chromium; .ci/run installs it)"
        if postgres.required():
            pytest.fail(reason)
        pytest.skip(reason)


def log_in(browser: Browser, superset: Superset) -> None:
    browser.goto(f"{superset.url}/login/")
    browser.wait_for("document.querySelector('[data-test=username-input]') !== null")
    browser.type_into("[data-test=username-input]", "admin")
    browser.type_into("[data-test=password-input]", superset.password)
    browser.evaluate("document.querySelector('[data-test=login-button]').click()")
    browser.wait_for("!location.pathname.startsWith('/login')")


def test_dashboard_draws_every_chart_with_data(
    chromium: None, duckdb_superset: Superset, tmp_path: Path
) -> None:
    screenshot = screenshot_path("dashboard.png", tmp_path)
    expected = sorted(chart["slice_name"] for chart in duckdb_superset.dashboard_charts())
    with Browser(timeout=120) as browser:
        # given a person logged in
        log_in(browser, duckdb_superset)
        # when they open the dashboard
        browser.goto(f"{duckdb_superset.url}/superset/dashboard/{DASHBOARD_SLUG}/")
        # then every chart draws (rows of a table, marks of a plot) or shows a problem
        charts = browser.wait_for(
            f"(() => {{ const charts = {CHARTS_ON_PAGE};"
            f" return charts.length === {len(expected)}"
            " && charts.every(c => c.rows > 0 || c.marks > 0 || c.problem) && charts; })()"
        )
        assert sorted(chart["name"] for chart in charts) == expected, json.dumps(charts)
        for chart in charts:
            assert not chart["problem"], chart
            assert chart["rows"] > 0 or chart["marks"] > 0, chart
        assert "Cost per lead by job function (approximate, USD)" in browser.text()
        browser.screenshot(screenshot)
    assert screenshot.stat().st_size > 50_000  # a drawn page, not a blank one


def test_dashboard_needs_a_login(chromium: None, duckdb_superset: Superset) -> None:
    with Browser(timeout=120) as browser:
        browser.goto(f"{duckdb_superset.url}/superset/dashboard/{DASHBOARD_SLUG}/")
        browser.wait_for("location.pathname.startsWith('/login')")
        assert "LinkedIn Ads" not in browser.text()


def test_readme_shows_the_screenshot() -> None:
    assert f"({README_IMAGE})" in (ROOT / "README.md").read_text()
    assert (ROOT / README_IMAGE).stat().st_size > 50_000
