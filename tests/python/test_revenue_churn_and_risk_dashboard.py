"""The Revenue Churn and Risk page, opened in a real browser.

As for the Revenue Overview (test_revenue_overview_dashboard.py): builds the demo
data up to the marts of the page's dbt exposure, writes the page with
`scripts/revenue_churn_and_risk.py` as `make dashboard` does, opens it in headless
Chromium and checks: no console error and no request leaving the file, every chart
drawn with data, the headline tiles and the ranked table equal to the marts read
here with SQL of our own. A screenshot lands in target/revenue_churn_and_risk.png.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from dbt_harness import copy_built_demo

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_DIR / "scripts" / "revenue_churn_and_risk.py"
SCREENSHOT = PROJECT_DIR / "target" / "revenue_churn_and_risk.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AS_OF = "2026-11-24"
CHARTS = ("mrr-outlook", "forecast-error", "risk-by-reason", "at-risk-customers")


def _load_script():
    spec = importlib.util.spec_from_file_location("revenue_churn_and_risk", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


page_script = _load_script()


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """The demo seeds and every model upstream of the exposure, in a DuckDB file of our own
    (dbt in a process of its own: the page opens the file read-only, as BI would)."""
    work = tmp_path_factory.mktemp("risk_dashboard")
    database = work / "demo.duckdb"
    if copy_built_demo(database):
        return database
    env = {**os.environ, "MRR_DUCKDB_PATH": str(database), "MRR_TARGET": "duckdb",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    run = subprocess.run([
        str(Path(sys.executable).parent / "dbt"), "build", "--select", "+exposure:revenue_churn_and_risk",
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
    output = tmp_path_factory.mktemp("page") / "revenue_churn_and_risk.html"
    run = subprocess.run([sys.executable, str(SCRIPT), "--database", str(demo_database),
                          "--as-of-date", AS_OF, "--output", str(output)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert f"Dashboard: {output.resolve()}" in run.stdout
    return output


@pytest.fixture(scope="module")
def browser_page(page_file):
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
    """The page's headline figures and ranking, read from the marts with SQL of our own."""
    con = duckdb.connect(str(demo_database), read_only=True)
    try:
        def one(sql):
            return con.execute(sql).fetchone()[0]
        return {
            "tiles": {
                "mrr": one("select closing_mrr from main.fct_mrr_movements order by month desc limit 1"),
                "committed_next": one("select closing_mrr from main.fct_mrr_committed where months_ahead = 1"),
                "committed_last": one("select closing_mrr from main.fct_mrr_committed "
                                      "order by months_ahead desc limit 1"),
                "forecast_last": one("select forecast_mrr from main.fct_mrr_forecast "
                                     "order by months_ahead desc limit 1"),
                "mape_3": one("select avg(abs_pct_error) from main.fct_mrr_forecast_backtest "
                              "where horizon_months = 3"),
                "mrr_at_risk": one("select sum(mrr_at_risk) from main.fct_mrr_at_risk"),
            },
            "ranking": [r[0] for r in con.execute(
                "select customer_id from main.fct_mrr_at_risk order by mrr_at_risk desc, current_mrr desc, "
                "customer_id").fetchall()],
            "forward_months": one("select count(*) from main.fct_mrr_committed"),
        }
    finally:
        con.close()


def _number(text: str) -> tuple[Decimal, int]:
    match = re.search(r"[+-]?[\d,]+(?:\.(\d+))?", text)
    assert match, f"no number in {text!r}"
    return Decimal(match.group(0).replace(",", "")), len(match.group(1) or "")


def _shown_equals(text: str, expected, scale: int = 1) -> bool:
    shown, decimals = _number(text)
    return abs(shown - Decimal(str(expected)) * scale) <= Decimal(5) / 10 ** (decimals + 1)


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
                [...(t.orientation === 'h' ? t.x : t.y) || []].filter(v => v !== null).length : 0), 0);
            const box = gd.getBoundingClientRect();
            const marks = [...gd.querySelectorAll('.cartesianlayer path.js-line, .cartesianlayer .points path')]
                .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; });
            return {traces: gd._fullData.length, values: values, width: box.width, height: box.height,
                    marks: marks.length};
        }""", chart)
        assert drawn["traces"] > 0 and drawn["values"] > 0, (chart, drawn)
        assert drawn["marks"] > 0, (chart, drawn)
        assert drawn["width"] > 500 and drawn["height"] > 300, (chart, drawn)


def test_headline_tiles_equal_the_marts(browser_page, marts):
    page, _ = browser_page
    assert page.get_attribute("#as-of", "data-month") == AS_OF[:7]
    for metric, expected in marts["tiles"].items():
        assert expected is not None, f"{metric}: the demo marts give nothing to show"
        shown = page.inner_text(f'.tile[data-metric="{metric}"] .tile-number')
        scale = 100 if metric == "mape_3" else 1
        assert _shown_equals(shown, expected, scale), (metric, shown, expected)


def test_customers_ranked_as_the_mart(browser_page, marts):
    page, _ = browser_page
    assert marts["ranking"], "the demo data has no customer at risk"
    shown = page.eval_on_selector_all("#at-risk-table tbody tr", "trs => trs.map(t => t.dataset.customer)")
    assert shown == marts["ranking"]
    # The bar chart shows the top of the same ranking.
    bars = page.evaluate("""() => document.getElementById('at-risk-customers')._fullData
        .flatMap(t => [...t.y])""")
    assert set(bars) == set(marts["ranking"][:page_script.TOP_CUSTOMERS])


def test_screenshot_saved(browser_page):
    assert SCREENSHOT.stat().st_size > 50_000


def test_exposure_declares_exactly_what_the_page_reads():
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "_exposures.yml").read_text())["exposures"]
    exposure = next(e for e in exposures if e["name"] == "revenue_churn_and_risk")
    assert exposure["type"] == "dashboard" and exposure["owner"]
    refs = {re.fullmatch(r"ref\((?:'mrr', )?'(\w+)'\)", d).group(1) for d in exposure["depends_on"]}
    assert refs == set(page_script.MARTS_READ)


def test_reasons_add_up_once_under_the_first_reason():
    rows = [{"risk_reasons": "scheduled_downgrade,delinquent,contracting", "mrr_at_risk": Decimal(400),
             "current_mrr": Decimal(400)},
            {"risk_reasons": "contracting", "mrr_at_risk": Decimal(0), "current_mrr": Decimal(150)},
            {"risk_reasons": "scheduled_churn,overdue", "mrr_at_risk": Decimal(70), "current_mrr": Decimal(70)}]
    summary = page_script.risk_by_reason(rows)
    assert sum(v["at_risk"] for v in summary.values()) == Decimal(470)
    assert summary["scheduled_downgrade"]["at_risk"] == Decimal(400) and summary["delinquent"]["at_risk"] == 0
    assert (summary["contracting"]["customers"], summary["contracting"]["current_mrr"]) == (2, Decimal(550))
