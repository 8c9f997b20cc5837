"""The nightly job (scripts/nightly.py) on the demo data: publish only when green,
one run at a time, readers never locked out, closed months that stay closed with
their restatements listed, idempotent re-runs, and a full refresh that keeps the
published history.

The job runs on a scratch copy of the project, so the test can plant a failing
test and change a raw row without touching the repository.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
COPIED = ("models", "macros", "seeds", "tests/data", "tests/generic", "scripts", "analyses",
          "dbt_project.yml", "profiles.yml")
FAST = ["--exclude", "resource_type:unit_test", "--quiet"]


def _copy_project(target: Path) -> Path:
    for name in COPIED:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _nightly(project: Path, published: Path, as_of: str, *extra: str, wait=True):
    command = [sys.executable, str(project / "scripts" / "nightly.py"), "--published", str(published),
               "--skip-freshness", "--vars", f'{{as_of_date: "{as_of}"}}', "--", *FAST, *extra]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(path: Path, sql: str):
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


CLOSED = "select month, metric, published_value, published_at from main.fct_monthly_metrics_closed order by 1, 2"


def _last_green(published: Path) -> dict:
    """The summary file of the last green night."""
    return json.loads(published.with_name(published.stem + ".last_green.json").read_text())


def _newly_closed(published: Path) -> list[str]:
    """The months the last green night closed, from its summary file."""
    return _last_green(published)["months_newly_closed"]
LIVE = "select month, closing_mrr, closing_customers from main.fct_mrr_movements order by 1"


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    project = _copy_project(tmp_path_factory.mktemp("project"))
    published = tmp_path_factory.mktemp("published") / "mrr.duckdb"
    status, output = _nightly(project, published, "2026-10-31")
    assert status == 0, output
    return project, published


def test_first_night_publishes_and_closes_past_months(nights):
    _project, published = nights
    closed_months = {row[0] for row in _query(published, CLOSED)}
    # mrr_close_after_days defaults to 5: on 2026-10-31 September (closing on
    # 2026-10-05) is closed, October (closing on 2026-11-05) is not.
    assert max(closed_months).isoformat() == "2026-09-01"
    assert _query(published, "select count(*) from main.audit_restatements") == [(0,)]
    assert _newly_closed(published) == sorted(month.isoformat() for month in closed_months)
    # A first night builds from scratch: it reads, and changes, every record.
    processed = _last_green(published)["records_processed"]
    assert set(processed) == {"customers", "plans", "subscriptions", "subscription_items", "invoices",
                              "invoice_lines"}
    assert all(0 < done["records"] == done["read"] == done["changed"] for done in processed.values()), processed


def test_second_run_while_one_holds_the_lock_stops_at_once(nights):
    project, published = nights
    before = _digest(published)
    with open(published.with_name(published.name + ".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        status, output = _nightly(project, published, "2026-11-24")
        elapsed = time.monotonic() - started
    assert status == 75, output
    assert "another nightly run is in progress" in output and "changed nothing" in output
    assert elapsed < 30
    assert _digest(published) == before


def test_failed_tests_publish_nothing(nights):
    project, published = nights
    before = _digest(published)
    planted = project / "tests" / "data" / "assert_planted_failure.sql"
    planted.write_text("-- A test that always fails, planted by test_nightly_job.py.\nselect 1 as failure\n")
    try:
        status, output = _nightly(project, published, "2026-11-24")
    finally:
        planted.unlink()
    assert status == 1, output
    assert "published database is unchanged" in output
    assert _digest(published) == before


def test_late_change_restates_closed_months_while_readers_keep_reading(nights):
    project, published = nights
    published_before = _query(published, CLOSED)
    live_before = _query(published, LIVE)
    # A late change in the raw data: a paying customer is flagged as a test account,
    # which rewrites every month it paid in (the spec's rule), closed ones included.
    customers = project / "seeds" / "billing" / "customers.csv"
    original = customers.read_text()
    header, *rows = original.splitlines()
    columns = header.split(",")
    paying = _query(published, "select customer_id from main.dim_customers "
                               "where first_mrr_month < date '2025-01-01' and is_active order by 1 limit 1")[0][0]
    changed = []
    for row in rows:
        values = row.split(",")
        if values[columns.index("customer_id")].strip() == paying:
            values[columns.index("is_test")] = "true"
            # Older than the newest customer version (2026-11-24), as a late
            # delivery: the night reads it all the same.
            values[columns.index("updated_at")] = "2026-11-23 00:00:00"
            changed.append(",".join(values))
    assert changed
    customers.write_text(original.rstrip("\n") + "\n" + "\n".join(changed) + "\n")
    try:
        # While this night builds, a dashboard can still open the published file.
        running = _nightly(project, published, "2026-11-24", wait=False)
        build = published.with_name(published.stem + ".build" + published.suffix)
        deadline = time.monotonic() + 120
        while not build.exists() and running.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # dbt is building into the build database by now
        assert running.poll() is None, "the night ended before the reader could try"
        assert _query(published, "select count(*) from main.fct_mrr_movements")[0][0] > 0
        output, _ = running.communicate(timeout=600)
        assert running.returncode == 0, output
        assert "months restated:" in output
        # This night closed October and nothing else (the summary said every month
        # published at the latest time before: a night that closed nothing repeated
        # the last one that did).
        assert _newly_closed(published) == ["2026-10-01"]
        assert "months newly closed: 1 (2026-10-01 .. 2026-10-01)" in output
        # The customer series recomputed the flagged customer in every month and every
        # customer in November, new since the last night; not everything.
        series = _last_green(published)["series_recomputed"]
        assert series["months"] == ["2026-11-01"]
        assert 1 <= series["customers"] < 50, series
        assert "customer series recomputed:" in output
        # The summary says what this night read and changed: the flagged customer and
        # its invoices (excluded with it), not every record.
        processed = _last_green(published)["records_processed"]
        for table in ("customers", "invoices"):
            done = processed[table]
            assert 1 <= done["changed"] <= done["read"] < done["records"], (table, done)
        assert "this night read" in output
        published_after = _query(published, CLOSED)
        live_after = _query(published, LIVE)
        # Published figures never change; October is now closed and added.
        assert set(published_before) <= set(published_after)
        assert {row[0].isoformat() for row in published_after} >= {"2026-10-01"}
        assert live_after != live_before
        restated = _query(published, "select month, metric, published_value, current_value, difference "
                                     "from main.audit_restatements where metric = 'closing_mrr'")
        assert restated and all(current - old == difference for _m, _k, old, current, difference in restated)
        reported = dict(_query(published, "select month, metric_value from main.fct_monthly_metrics_reported "
                                          "where metric = 'closing_mrr' and is_closed"))
        for month, _metric, old, _current, _difference in restated:
            assert reported[month] == old  # the board deck keeps its number

        # Re-running the night is idempotent: same figures, same first-seen times.
        restatements = _query(published, "select * from main.audit_restatements order by 1, 2")
        status, output = _nightly(project, published, "2026-11-24")
        assert status == 0, output
        assert _query(published, CLOSED) == published_after
        assert _query(published, "select * from main.audit_restatements order by 1, 2") == restatements
        assert _newly_closed(published) == []
        # The re-run had nothing new: it read no record again and changed none.
        processed = _last_green(published)["records_processed"]
        assert all(done["read"] == done["changed"] == 0 for done in processed.values()), processed

        # A full rebuild does not lose the published history.
        status, output = _nightly(project, published, "2026-11-24", "--full-refresh")
        assert status == 0, output
        assert _query(published, CLOSED) == published_after
        assert _query(published, "select * from main.audit_restatements order by 1, 2") == restatements
    finally:
        customers.write_text(original)
