"""The bundled demo data, end to end: `dbt build` (seeds included, as `make run`
does), then the staging rules and the marts checked against two computations that
share nothing with the SQL: the generator's own classification of every raw row
(demo_seeds.classify) and the Python reference of the spec.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from demo_seeds import KEYS, SEEDS, TABLES, classify, read
from reference.compare import report
from reference.mrr_reference import compute

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Fixed, so the expectations do not move with the calendar (the demo data ends here).
AS_OF = "2026-11-24"
MARTS = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "dim_customers",
         "audit_rejected_records", "audit_raw_row_accounting", "fct_mrr_by_plan", "fct_cohort_retention",
         "fct_mrr_committed", "fct_mrr_forecast", "fct_mrr_forecast_backtest", "fct_mrr_growth", "fct_mrr_at_risk")
EXCLUSIONS = {"kept", "superseded version", "duplicate copy", "soft deleted", "parent soft deleted", "test customer"}


def _rows(connection, relation):
    cursor = connection.execute(f"select * from {relation}")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _dbt(work: Path, *args):
    """dbt through dbtRunner, on this module's own DuckDB file, target and log paths."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRR_DUCKDB_PATH", str(work / "demo.duckdb"))
        patch.setenv("MRR_TARGET", "duckdb")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        return dbtRunner().invoke([
            *args,
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--no-partial-parse", "--quiet",
        ])


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(demo_dir):
    work = demo_dir
    database = work / "demo.duckdb"
    # Unit tests run once in `make test`'s own dbt build; here only the data matters.
    result = _dbt(work, "build", "--exclude", "resource_type:unit_test", "--vars", json.dumps({"as_of_date": AS_OF}))
    statuses = {node.node.unique_id: str(node.status) for node in (result.result or [])}
    connection = duckdb.connect(str(database))
    try:
        marts = {mart: _rows(connection, f"main.{mart}") for mart in MARTS}
        raw = {table: _rows(connection, f"main_billing_raw.{table}") for table in TABLES}
        staged = {table: _rows(connection, f"main.stg_billing__{table}") for table in TABLES}
    finally:
        connection.close()
    return statuses, marts, raw, staged


@pytest.fixture(scope="module")
def converted_items(demo, demo_dir):
    """int_subscription_items_converted: the items staging kept, with their fx rate or rejection."""
    connection = duckdb.connect(str(demo_dir / "demo.duckdb"))
    try:
        return _rows(connection, "main.int_subscription_items_converted")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def generator_view():
    """(record_id, disposition) of every raw row, as the generator's classifier sees it."""
    return classify({table: read(SEEDS, table) for table in TABLES})


def test_plain_build_succeeds_and_only_the_rejects_warn(demo):
    statuses, *_ = demo
    # An exposure (the dashboard) has nothing to run: dbt reports it as no-op.
    bad = {node: status for node, status in statuses.items() if status not in ("success", "pass", "warn")
           and not (node.startswith("exposure.") and status == "no-op")}
    warned = {node for node, status in statuses.items() if status == "warn"}
    assert not bad, bad
    assert warned == {"test.mrr.warn_rejected_records_exist"}, warned


def test_audit_lists_exactly_the_invalid_records(demo, generator_view):
    _, marts, _, _ = demo
    expected = Counter(
        (table, record_id, disposition)
        for table, rows in generator_view.items()
        for record_id, disposition in rows
        if disposition not in EXCLUSIONS
        # One audit row per rejected record: the other rows of a conflicting fx key
        # are rejected with it but are not listed twice.
    )
    expected = Counter({key: 1 if key[1] is not None else count for key, count in expected.items()})
    actual = Counter((row["source_table"], row["record_id"], row["reason"])
                     for row in marts["audit_rejected_records"])
    assert actual == expected, {"only in dbt": actual - expected, "only expected": expected - actual}


def test_every_raw_row_has_the_generators_disposition(demo, generator_view):
    _, marts, raw, _ = demo
    expected = Counter()
    for table, rows in generator_view.items():
        for _, disposition in rows:
            expected[(table, disposition if disposition in EXCLUSIONS else "rejected")] += 1
    actual = Counter({(row["source_table"], row["disposition"]): row["row_count"]
                      for row in marts["audit_raw_row_accounting"] if row["row_count"]})
    assert actual == expected
    for table in TABLES:
        assert sum(n for (t, _), n in actual.items() if t == table) == len(raw[table]), table


def test_staging_keeps_only_clean_normalised_records(demo, generator_view, converted_items):
    _, _, _, staged = demo
    kept = {table: {record_id for record_id, d in rows if d == "kept"} for table, rows in generator_view.items()
            if table != "fx_rates"}
    for table, key in KEYS.items():
        staged_ids = {row[key] for row in staged[table]}
        if table == "subscription_items":
            # An item's last rule, a rate at its valid_from, is applied above staging
            # (int_subscription_items_converted): staging also holds the items it rejects.
            no_rate = {record_id for record_id, d in generator_view[table] if d == "no fx rate"}
            assert no_rate and staged_ids == kept[table] | no_rate, table
            converted = {row["subscription_item_id"]: row["rejection_reason"] for row in converted_items}
            assert {item for item, reason in converted.items() if reason is None} == kept[table], table
            assert {item for item, reason in converted.items() if reason == "no fx rate"} == no_rate, table
        else:
            assert staged_ids == kept[table], table
    for row in staged["customers"]:
        assert row["country_code"] is None or row["country_code"] == row["country_code"].strip().upper()
    for row in staged["plans"]:
        assert row["currency"] == row["currency"].strip().upper()
        assert row["charge_type"] in ("recurring", "usage")
        assert row["billing_interval"] in ("day", "week", "month", "quarter", "year")
    for row in staged["invoices"]:
        assert row["status"] in ("draft", "open", "paid", "uncollectible", "void")
    for row in staged["invoice_lines"]:
        assert row["line_type"] in ("subscription", "proration", "usage", "one_time", "setup")


@pytest.fixture(scope="module")
def reference_marts(demo):
    _, _, raw, _ = demo
    return compute(raw, {"as_of_date": AS_OF})


@pytest.mark.parametrize("mart", ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue",
                                  "dim_customers", "audit_rejected_records", "fct_mrr_by_plan",
                                  "fct_cohort_retention", "fct_mrr_committed", "fct_mrr_forecast",
                                  "fct_mrr_forecast_backtest", "fct_mrr_growth", "fct_mrr_at_risk"))
def test_demo_marts_match_the_reference(demo, reference_marts, mart):
    _, marts, _, _ = demo
    differences = report(marts, reference_marts, [mart])
    assert not differences, differences


def test_unit_tests_pass_under_non_default_vars(demo, demo_dir):
    """Users run `dbt build` with their own vars, and a failing dbt unit test skips
    every model below it: each unit test must pin the vars it relies on."""
    variables = {"as_of_date": "2025-01-31", "reporting_currency": "EUR", "mrr_include_trials": True,
                 "mrr_apply_discounts": False, "mrr_reconciliation_tolerance": 7, "mrr_forward_months": 5,
                 "mrr_forecast_window_months": 4, "mrr_delinquent_after_days": 3}
    result = _dbt(demo_dir, "test", "--select", "test_type:unit", "--vars", json.dumps(variables))
    failed = [f"{node.node.unique_id}: {node.status}" for node in (result.result or [])
              if str(node.status) not in ("pass", "success")]
    assert result.result and not failed, failed
