"""An incremental night equals a full refresh, and a parent rebuilt unchanged cascades
nothing (docs/decisions.md, "Incremental runs").

On the demo data: a full build; then one night of changes (src/mrr_tools/scale_delta.py:
customers flagged as test accounts or soft deleted, subscriptions cancelled, items
repriced, invoices voided, lines corrected, new invoices and payments, FX rates
corrected in place); then the incremental build on that file and a full refresh on a
copy of it. Every table the build writes must be equal, row by row. A second night
with no new data must then change no record and re-read no child for a parent it
rebuilt unchanged.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dbt_harness import invoke_dbt
from mrr_tools import scale_delta as nightly_delta
from mrr_tools.raw_tables import record_keys

AS_OF = "2026-11-24"
RAW = "main_billing_raw"
BASE = list(record_keys())  # the versioned raw tables, each with a base model
NO_UNIT_TESTS = ["--exclude", "resource_type:unit_test"]
# A night: the seeds (the raw data) stay as the test changed them.
NIGHT = ("--exclude", "resource_type:seed", "resource_type:unit_test")


@dataclass
class Outcome:
    success: bool
    messages: str


def _database(work: Path, name: str) -> Path:
    """A database file of its own. Every file is called demo.duckdb (in its own
    folder): DuckDB names the database after the file, and one name lets every run
    share one parse of the project (dbt_harness.invoke_dbt)."""
    (work / name).mkdir(parents=True, exist_ok=True)
    return work / name / "demo.duckdb"


def _run_dbt(db: Path, work: Path, as_of: str, command: str, *args: str) -> Outcome:
    """`dbt <command>` on ``db`` with as_of_date ``as_of``, whatever its outcome."""
    result = invoke_dbt([command, *args], db, work, {"as_of_date": as_of})
    nodes = getattr(result.result, "results", None) or []
    # What went wrong first, then what was skipped because of it.
    bad = sorted((n for n in nodes if str(n.status) not in ("success", "pass")),
                 key=lambda n: str(n.status) == "skipped")
    messages = "\n".join([str(result.exception or "")] + [f"{n.node.unique_id}: {n.status}: {n.message}" for n in bad])
    return Outcome(bool(result.success), messages)


def _dbt(db: Path, work: Path, as_of: str, *args: str) -> None:
    """`dbt build`, which must succeed."""
    done = _run_dbt(db, work, as_of, "build", *args)
    assert done.success, done.messages


def _query(db: Path, sql: str):
    connection = duckdb.connect(str(db), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    work = tmp_path_factory.mktemp("incremental")
    incremental, full = _database(work, "incremental"), _database(work, "full")
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
    stamps = {table: _query(incremental, f"select max(processed_at) from base_billing__{table}")[0][0]
              for table in BASE}
    _dbt(incremental, work, delta["as_of_date"], *NIGHT)
    for table in BASE:
        # Written by the quiet night: stamped later than anything before it.
        written, changed = _query(incremental, f"""
            select
                count(*) filter (where processed_at > timestamp '{stamps[table]}'),
                count(*) filter (where changed_at > timestamp '{stamps[table]}')
            from base_billing__{table}
            where record_id is not null""")[0]
        # Nothing new arrived: no record was read again, none changed, no parent
        # cascaded into its children.
        assert (written, changed) == (0, 0), (table, written, changed)
    differing = nightly_delta.compare_databases(str(incremental), str(full))
    assert {table: rows for table, rows in differing.items() if rows} == {}


def test_series_model_refuses_another_runs_scope(nights):
    """A customer series model run without int_series_rebuild_scope would apply the
    scope of an earlier run and leave changed customers stale: it stops instead."""
    work, incremental, _full, delta = nights
    before = _query(incremental, "select count(*), sum(mrr) from fct_mrr")
    done = _run_dbt(incremental, work, delta["as_of_date"], "run", "--select", "fct_mrr")
    assert not done.success
    assert "needs int_series_rebuild_scope built in the same run" in done.messages, done.messages
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
    full = _database(db.parent.parent, db.parent.name + "_full")
    shutil.copyfile(db, full)
    _dbt(full, work, as_of, *NIGHT, "--full-refresh")
    return {table: rows for table, rows in nightly_delta.compare_databases(str(db), str(full)).items() if rows}


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("unrecorded")
    db = _database(work, "demo")
    _dbt(db, work, AS_OF, *NO_UNIT_TESTS)
    return work, db


def test_unrecorded_run_stays_pending_when_inputs_go_back(demo_build):
    """A run that changes the series but does not record its inputs as built (here a
    `dbt run` of the series alone; a failed build does the same), then a night whose
    inputs are back to what was last recorded: the first run's scope is still
    recomputed, so its rows do not linger (found by a review: 6 rows per series)."""
    work, base = demo_build
    db = _database(work, "revert")
    shutil.copyfile(base, db)
    _new_item_version(db, "quantity * 2", "2026-11-24 01:00:00")
    assert _run_dbt(db, work, AS_OF, "run", "--select", "+fct_mrr", "+fct_mrr_by_plan").success
    _new_item_version(db, "quantity // 2", "2026-11-24 02:00:00")  # the quantity as it was built
    _dbt(db, work, AS_OF, *NIGHT)
    assert _equals_full_refresh(db, work, AS_OF) == {}


def test_night_without_a_series_model_is_made_up_next_night(demo_build):
    """`--exclude fct_mrr_by_plan` keeps the record of the last complete build, so the
    next night also recomputes what fct_mrr_by_plan missed."""
    work, base = demo_build
    db = _database(work, "exclude")
    shutil.copyfile(base, db)
    _new_item_version(db, "quantity * 3", "2026-11-24 01:00:00")
    # int_series_built_* run too: they must not record fct_mrr_by_plan as built.
    assert _run_dbt(db, work, AS_OF, "run", "--exclude", "fct_mrr_by_plan").success
    _dbt(db, work, AS_OF, *NIGHT)
    assert _equals_full_refresh(db, work, AS_OF) == {}


def test_without_a_record_every_stored_month_is_recomputed(demo_build):
    """No record of the last build (an upgrade, or a lost table) and as_of_date moved
    back: the months that left the spine are deleted too, not only the spine's."""
    work, base = demo_build
    db = _database(work, "upgrade")
    shutil.copyfile(base, db)
    connection = duckdb.connect(str(db))
    try:
        connection.execute("drop table main.int_series_built_months")
    finally:
        connection.close()
    _dbt(db, work, "2026-10-15", *NIGHT)
    assert _equals_full_refresh(db, work, "2026-10-15") == {}
