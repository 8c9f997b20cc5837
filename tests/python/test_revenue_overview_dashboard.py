"""The Revenue Overview page, opened in a real browser.

Builds the demo data up to the marts the dashboard's dbt exposure depends on (as
`make run` does, as_of_date pinned to the demo's end), writes the page with
`scripts/revenue_overview.py` as `make dashboard` does, opens the file in headless
Chromium (Debian's package, driven by playwright) and checks: no console error and
no request leaving the file, every chart drawn with data, the headline tiles equal
to the marts read here with SQL of our own. A screenshot lands in
target/revenue_overview.png.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from dbt_harness import copy_built_demo

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_DIR / "scripts" / "revenue_overview.py"
SCREENSHOT = PROJECT_DIR / "target" / "revenue_overview.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The demo data ends on 2026-11-24, mid-month: October 2026 is the latest complete month.
AS_OF = "2026-11-24"
LATEST_COMPLETE = date(2026, 10, 1)
MONTH_BEFORE = date(2026, 9, 1)
CHARTS = ("mrr-over-time", "mrr-bridge", "churn-retention", "mrr-vs-revenue", "mrr-by-product",
          "mrr-by-segment", "mrr-by-plan", "mrr-by-country", "cohort-retention")


def _load_script():
    spec = importlib.util.spec_from_file_location("revenue_overview", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


revenue_overview = _load_script()


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """The demo seeds and every model upstream of the exposure, in a DuckDB file of our own.

    dbt runs in a process of its own: in-process dbt keeps the file locked, and the
    page script opens it read-only as BI would.
    """
    work = tmp_path_factory.mktemp("dashboard")
    database = work / "demo.duckdb"
    if copy_built_demo(database):
        return database
    env = {**os.environ, "MRR_DUCKDB_PATH": str(database), "MRR_TARGET": "duckdb",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    run = subprocess.run([
        str(Path(sys.executable).parent / "dbt"), "build", "--select", "+exposure:revenue_overview",
        # The data and unit tests run in `make test`'s own build; here only the marts matter.
        "--exclude", "resource_type:test", "resource_type:unit_test",
        "--vars", json.dumps({"as_of_date": AS_OF}),
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        "--no-partial-parse", "--quiet",
    ], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return database


@pytest.fixture(scope="module")
def page_file(demo_database, tmp_path_factory):
    output = tmp_path_factory.mktemp("page") / "revenue_overview.html"
    run = subprocess.run([sys.executable, str(SCRIPT), "--database", str(demo_database),
                          "--as-of-date", AS_OF, "--output", str(output)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert f"Dashboard: {output.resolve()}" in run.stdout
    return output


@pytest.fixture(scope="module")
def browser_page(page_file):
    """The page loaded in Chromium at laptop size, with what it logged and requested."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make browser` installs Debian's chromium")
    events = {"console_errors": [], "page_errors": [], "requests": []}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: m.type == "error" and events["console_errors"].append(m.text))
            page.on("pageerror", lambda e: events["page_errors"].append(str(e)))
            page.on("request", lambda r: events["requests"].append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_function(
                "ids => ids.every(id => { const gd = document.getElementById(id);"
                " return gd && gd._fullLayout && gd.querySelector('svg.main-svg'); })",
                arg=list(CHARTS), timeout=20_000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            yield page, events
        finally:
            browser.close()


@pytest.fixture(scope="module")
def marts(demo_database):
    """Headline figures read straight from the marts, with SQL of this test's own."""
    con = duckdb.connect(str(demo_database), read_only=True)
    try:
        def month(m):
            row = con.execute("""
                select movements.closing_mrr, movements.net_new_mrr, movements.closing_customers,
                       churn.arpa, churn.logo_churn_rate, churn.net_revenue_retention
                from main.fct_mrr_movements as movements
                inner join main.fct_churn as churn on movements.month = churn.month
                where movements.month = ?""", [m]).fetchone()
            return dict(zip(("mrr", "net_new_mrr", "paying_customers", "arpa", "logo_churn_rate", "nrr"), row))
        return {"latest": month(LATEST_COMPLETE), "before": month(MONTH_BEFORE)}
    finally:
        con.close()


def _number(text: str) -> tuple[Decimal, int]:
    """A figure as displayed and its count of decimals ("1,740.90 USD" -> 1740.90, 2)."""
    match = re.search(r"[+-]?[\d,]+(?:\.(\d+))?", text)
    assert match, f"no number in {text!r}"
    return Decimal(match.group(0).replace(",", "")), len(match.group(1) or "")


def _shown_equals(text: str, expected: Decimal, scale: int = 1) -> bool:
    """True when ``text`` is ``expected * scale`` rounded to the decimals it shows."""
    shown, decimals = _number(text)
    return abs(shown - Decimal(expected) * scale) <= Decimal(5) / 10 ** (decimals + 1)


def test_page_has_no_console_error_and_stays_offline(browser_page):
    _, events = browser_page
    outside = [url for url in events["requests"] if not url.startswith(("file:", "data:", "blob:"))]
    problems = {"console errors": events["console_errors"], "uncaught errors": events["page_errors"],
                "requests leaving the file": outside}
    assert not any(problems.values()), problems


def test_every_chart_is_drawn_with_data(browser_page):
    page, _ = browser_page
    on_page = page.eval_on_selector_all(".js-plotly-plot", "divs => divs.map(d => d.id)")
    assert sorted(on_page) == sorted(CHARTS)
    for chart in CHARTS:
        drawn = page.evaluate("""id => {
            const gd = document.getElementById(id);
            const values = gd._fullData.reduce((n, t) => n + (t.visible === true ?
                ((t.z || t.y || []).flat ? (t.z || t.y || []).flat().filter(v => v !== null).length : 0) : 0), 0);
            const box = gd.getBoundingClientRect();
            // Marks the data drew (lines, areas, bars, points, the heatmap's image), with a size.
            const marks = [...gd.querySelectorAll('.cartesianlayer path.js-line, .cartesianlayer path.js-fill,'
                                                  + ' .cartesianlayer .points path, .heatmaplayer image')]
                .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; });
            return {traces: gd._fullData.length, values: values, width: box.width, height: box.height,
                    marks: marks.length};
        }""", chart)
        assert drawn["traces"] > 0 and drawn["values"] > 0, (chart, drawn)
        assert drawn["marks"] > 0, (chart, drawn)
        assert drawn["width"] > 500 and drawn["height"] > 300, (chart, drawn)


def test_headline_tiles_equal_the_marts(browser_page, marts):
    page, _ = browser_page
    assert page.inner_text("#latest-month") == "October 2026"
    scale = {"logo_churn_rate": 100, "nrr": 100}
    for metric, expected in marts["latest"].items():
        tile = f'.tile[data-metric="{metric}"]'
        assert page.get_attribute(tile, "data-month") == f"{LATEST_COMPLETE:%Y-%m}", metric
        shown = page.inner_text(f"{tile} .tile-number")
        assert _shown_equals(shown, expected, scale.get(metric, 1)), (metric, shown, expected)
        change = expected - marts["before"][metric]
        delta = page.inner_text(f"{tile} .tile-delta")
        assert _shown_equals(delta, change, scale.get(metric, 1)), (metric, delta, change)
        if metric not in scale:
            relative = page.inner_text(f"{tile} .tile-delta-pct")
            assert _shown_equals(relative, change / abs(marts["before"][metric]), 100), (metric, relative)


def test_screenshot_saved(browser_page):
    assert SCREENSHOT.stat().st_size > 50_000


def test_exposure_declares_exactly_what_the_page_reads():
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "_exposures.yml").read_text())["exposures"]
    exposure = next(e for e in exposures if e["name"] == "revenue_overview")
    assert exposure["type"] == "dashboard" and exposure["owner"]
    refs = {re.fullmatch(r"ref\((?:'mrr', )?'(\w+)'\)", d).group(1) for d in exposure["depends_on"]}
    assert refs == set(revenue_overview.MARTS_READ)


@pytest.mark.parametrize(("as_of", "last_month", "expected"), [
    (date(2026, 11, 24), date(2026, 11, 1), date(2026, 10, 1)),   # mid-month: the month before
    (date(2026, 11, 30), date(2026, 11, 1), date(2026, 11, 1)),   # a month's last day completes it
    (date(2027, 1, 1), date(2027, 1, 1), date(2026, 12, 1)),      # across a year
    (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 1)),      # leap February
    (date(2025, 2, 28), date(2025, 2, 1), date(2025, 2, 1)),
    (None, date(2026, 11, 1), date(2026, 10, 1)),                 # unknown: the last month is partial
])
def test_latest_complete_month(as_of, last_month, expected):
    assert revenue_overview.latest_complete_month(last_month, as_of) == expected


def test_as_of_date_outside_the_marts_last_month_is_refused():
    with pytest.raises(ValueError, match="not in the marts' last month"):
        revenue_overview.latest_complete_month(date(2026, 11, 1), date(2026, 12, 31))
