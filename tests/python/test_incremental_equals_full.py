"""An incremental night equals a full refresh, and a parent rebuilt unchanged cascades
nothing (docs/decisions.md, "Incremental runs").

On the demo data: a full build; then one night of changes (benchmarks/nightly_delta.py:
customers flagged as test accounts or soft deleted, subscriptions cancelled, items
repriced, invoices voided, lines corrected, new invoices and payments, FX rates
corrected in place); then the incremental build on that file and a full refresh on a
copy of it. Every table the build writes must be equal, row by row. A second night
with no new data must then change no record and re-read no child for a parent it
rebuilt unchanged.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))

import nightly_delta  # noqa: E402

AS_OF = "2026-11-24"
RAW = "main_billing_raw"
BASE = ["customers", "plans", "subscriptions", "subscription_items", "invoices", "invoice_lines"]
NO_UNIT_TESTS = ["--exclude", "resource_type:unit_test"]
# A night: the seeds (the raw data) stay as the test changed them.
NIGHT = ("--exclude", "resource_type:seed", "resource_type:unit_test")


def _run_dbt(db: Path, work: Path, as_of: str, command: str, *args: str) -> subprocess.CompletedProcess:
    """`dbt <command>` on ``db`` with as_of_date ``as_of``, whatever its outcome."""
    env = {**os.environ, "MRR_DUCKDB_PATH": str(db), "DBT_PROFILES_DIR": str(PROJECT_DIR), "MRR_TARGET": "duckdb",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_PARTIAL_PARSE": "False"}
    arguments = [str(Path(sys.executable).parent / "dbt"), command, "--quiet", "--project-dir", str(PROJECT_DIR),
                 "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                 "--vars", f'{{as_of_date: "{as_of}"}}', *args]
    return subprocess.run(arguments, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900)


def _dbt(db: Path, work: Path, as_of: str, *args: str) -> None:
    """`dbt build`, which must succeed."""
    done = _run_dbt(db, work, as_of, "build", *args)
    assert done.returncode == 0, done.stdout + done.stderr


def _query(db: Path, sql: str):
    connection = duckdb.connect(str(db), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    work = tmp_path_factory.mktemp("incremental")
    incremental, full = work / "incremental.duckdb", work / "full.duckdb"
    _dbt(incremental, work, AS_OF, *NO_UNIT_TESTS)
    connection = duckdb.connect(str(incremental))
    try:
        delta = nightly_delta.apply_delta(connection, RAW, AS_OF, fraction=0.08, seed=7)
    finally:
        connection.close()
    shutil.copyfile(incremental, full)
    night = delta["as_of_date"]
    _dbt(incremental, work, night, *NIGHT)
    _dbt(full, work, night, *NIGHT, "--full-refresh")
    return work, incremental, full, delta


def test_the_night_holds_each_kind_of_change(nights):
    _work, incremental, _full, delta = nights
    stamp = f"timestamp '{delta['updated_at']}'"
    night = f"timestamp '{delta['as_of_date']}'"
    for table in ("customers", "subscriptions", "subscription_items", "invoices", "invoice_lines",
                  "invoices:new", "invoice_lines:new", "fx_rates:corrected"):
        assert delta[table] > 0, (table, delta)
    checks = {
        "a customer flagged as a test account": f"select count(*) from base_billing__customers "
                                                f"where updated_at = {stamp} and exclusion_reason = 'test customer'",
        "a subscription cancelled": f"select count(*) from base_billing__subscriptions "
                                    f"where updated_at = {stamp} and ended_at = {night}",
        "an item repriced": f"select count(*) from base_billing__subscription_items "
                            f"where updated_at = {stamp} and unit_price is not null",
        "an invoice voided": f"select count(*) from base_billing__invoices "
                             f"where updated_at = {stamp} and status = 'void'",
    }
    for what, sql in checks.items():
        assert _query(incremental, sql)[0][0] > 0, what


def test_incremental_night_equals_full_refresh(nights):
    _work, incremental, full, _delta = nights
    differing = nightly_delta.compare_databases(str(incremental), str(full))
    assert len(differing) > 25  # base, intermediate and mart tables
    assert {table: rows for table, rows in differing.items() if rows} == {}


def test_quiet_night_changes_nothing_and_cascades_nothing(nights):
    work, incremental, full, delta = nights
    before = dt.datetime.fromisoformat(delta["updated_at"])
    # The lookback window of the quiet night: 3 days before the newest version processed.
    window = before - dt.timedelta(days=3)
    _dbt(incremental, work, delta["as_of_date"], *NIGHT)
    for table in BASE:
        written, changed, in_window = _query(incremental, f"""
            select
                count(*) filter (where processed_at = (select max(processed_at) from base_billing__{table})),
                count(*) filter (where changed_at = (select max(processed_at) from base_billing__{table})),
                count(*) filter (where updated_at > timestamp '{window:%Y-%m-%d %H:%M:%S}')
            from base_billing__{table}
            where record_id is not null""")[0]
        assert changed == 0, table  # nothing new arrived: no record changed
        # Only the keys within the lookback are re-read: no parent cascaded (plans,
        # quiet since 2025, re-read nothing at all).
        assert written <= in_window, (table, written, in_window)
    assert _query(incremental, "select count(*) from base_billing__plans where record_id is not null and "
                               "processed_at = (select max(processed_at) from base_billing__plans)") == [(0,)]
    differing = nightly_delta.compare_databases(str(incremental), str(full))
    assert {table: rows for table, rows in differing.items() if rows} == {}


def test_series_model_refuses_another_runs_scope(nights):
    """A customer series model run without int_series_rebuild_scope would apply the
    scope of an earlier run and leave changed customers stale: it stops instead."""
    work, incremental, _full, delta = nights
    before = _query(incremental, "select count(*), sum(mrr) from fct_mrr")
    done = _run_dbt(incremental, work, delta["as_of_date"], "run", "--select", "fct_mrr")
    assert done.returncode != 0
    assert "needs int_series_rebuild_scope built in the same run" in done.stdout, done.stdout
    assert _query(incremental, "select count(*), sum(mrr) from fct_mrr") == before


# ------------------------------------------- runs that never recorded their inputs as built
def _new_item_version(db: Path, quantity: str, updated_at: str) -> None:
    """A new raw version of one counting item, its quantity ``quantity`` (an expression
    of the latest version's quantity)."""
    connection = duckdb.connect(str(db))
    try:
        connection.execute(f"""
            insert into {RAW}.subscription_items
            select * replace ({quantity} as quantity, timestamp '{updated_at}' as updated_at)
            from {RAW}.subscription_items
            where trim(subscription_item_id) = (
                select min(subscription_item_id) from main.int_subscription_items_active
                where effective_end_date is null)
            qualify row_number() over (order by updated_at desc) = 1""")
    finally:
        connection.close()


def _equals_full_refresh(db: Path, work: Path, as_of: str) -> dict:
    """Tables of ``db`` differing from a full refresh of a copy of it: {table: rows}."""
    full = db.with_name(db.stem + "_full.duckdb")
    shutil.copyfile(db, full)
    _dbt(full, work, as_of, *NIGHT, "--full-refresh")
    return {table: rows for table, rows in nightly_delta.compare_databases(str(db), str(full)).items() if rows}


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("unrecorded")
    db = work / "demo.duckdb"
    _dbt(db, work, AS_OF, *NO_UNIT_TESTS)
    return work, db


def test_unrecorded_run_stays_pending_when_inputs_go_back(demo_build):
    """A run that changes the series but does not record its inputs as built (here a
    `dbt run` of the series alone; a failed build does the same), then a night whose
    inputs are back to what was last recorded: the first run's scope is still
    recomputed, so its rows do not linger (found by a review: 6 rows per series)."""
    work, base = demo_build
    db = work / "revert.duckdb"
    shutil.copyfile(base, db)
    _new_item_version(db, "quantity * 2", "2026-11-24 01:00:00")
    assert _run_dbt(db, work, AS_OF, "run", "--select", "+fct_mrr", "+fct_mrr_by_plan").returncode == 0
    _new_item_version(db, "quantity // 2", "2026-11-24 02:00:00")  # the quantity as it was built
    _dbt(db, work, AS_OF, *NIGHT)
    assert _equals_full_refresh(db, work, AS_OF) == {}


def test_night_without_a_series_model_is_made_up_next_night(demo_build):
    """`--exclude fct_mrr_by_plan` keeps the record of the last complete build, so the
    next night also recomputes what fct_mrr_by_plan missed."""
    work, base = demo_build
    db = work / "exclude.duckdb"
    shutil.copyfile(base, db)
    _new_item_version(db, "quantity * 3", "2026-11-24 01:00:00")
    # int_series_built_* run too: they must not record fct_mrr_by_plan as built.
    assert _run_dbt(db, work, AS_OF, "run", "--exclude", "fct_mrr_by_plan").returncode == 0
    _dbt(db, work, AS_OF, *NIGHT)
    assert _equals_full_refresh(db, work, AS_OF) == {}


def test_without_a_record_every_stored_month_is_recomputed(demo_build):
    """No record of the last build (an upgrade, or a lost table) and as_of_date moved
    back: the months that left the spine are deleted too, not only the spine's."""
    work, base = demo_build
    db = work / "upgrade.duckdb"
    shutil.copyfile(base, db)
    connection = duckdb.connect(str(db))
    try:
        connection.execute("drop table main.int_series_built_months")
    finally:
        connection.close()
    _dbt(db, work, "2026-10-15", *NIGHT)
    assert _equals_full_refresh(db, work, "2026-10-15") == {}
