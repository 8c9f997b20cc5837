"""Raw tables in the wrong shape, or with text where numbers and dates belong.

1. Wrong shape (a missing table or column, a renamed column, a type that cannot
   hold the values): `dbt build` stops before any model runs, with one message
   naming the table and the column (macro mrr_check_raw_tables, on-run-start).
2. Text columns: accepted, parsed row by row. On a random dirty history loaded
   entirely as text (in several spellings of each value), every mart equals the
   Python reference; values that do not parse (`12,50`, `31/12/2024`, `two`...)
   reject their records with `unparseable <column>`, and nothing else changes.
Each test prints the message a user would see, past pytest's capture, so
`make test` shows them. dbt unit tests also pass on the text-typed tables.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from dbt_harness import (
    PROJECT_DIR,
    _environment,
    _invoke_build,
    invoke_dbt,
    read_marts,
    run_dbt_build,
    write_raw_tables,
)
from mrr_tools.random_histories import generate
from raw_contract import raw_tables
from reference.compare import report
from reference.mrr_reference import compute

CONTRACT = raw_tables()
MARTS = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "audit_rejected_records", "dim_customers")


def _columns(**changes):
    """The contract's columns with changes: {table: {old: new name or (name, type) or None}}."""
    out = {}
    for table, columns in CONTRACT.items():
        out[table] = {}
        for column, data_type in columns.items():
            change = changes.get(table, {}).get(column, (column, data_type))
            if change is None:
                continue
            name, new_type = (change, data_type) if isinstance(change, str) else change
            out[table][name] = new_type
    return out


def _show(capsys, title, text):
    """Print past pytest's capture, so `make test` shows what a user would see."""
    with capsys.disabled():
        print(f"\n  [{title}]\n    " + "\n    ".join(line for line in text.strip().splitlines()
                                                   if line.strip() and not line.lstrip().startswith(">")))


def _failed_build(tmp_path, table_columns, variables=None):
    """Build on empty raw tables of the given shape; return (message, models run)."""
    db_path = tmp_path / "shape.duckdb"
    write_raw_tables(db_path, {}, table_columns=table_columns)
    result, nodes = _invoke_build(db_path, tmp_path, {"billing_schema": "raw_billing", **(variables or {})},
                                  ["resource_type:seed", "resource_type:unit_test"])
    message = str(result.exception or "") + "\n".join(str(getattr(n, "message", "") or "") for n in nodes)
    models_run = [n.node.unique_id for n in nodes if n.node.unique_id.startswith("model.")]
    assert not result.success, "the build should have stopped"
    # dbt reports the error twice (exception and node message): show it once.
    return str(result.exception or message), models_run


SHAPES = [
    ("missing column", {"invoices": {"paid_at": None}},
     ["raw_billing.invoices: column paid_at is missing"]),
    ("renamed column", {"subscription_items": {"quantity": "qty"}},
     ["raw_billing.subscription_items: column quantity is missing "
      "(columns there that the contract does not know: qty)"]),
    ("boolean in a numeric column", {"plans": {"price": ("price", "boolean")}},
     ["raw_billing.plans: column price has type BOOLEAN, expected decimal"]),
    ("number in a timestamp column", {"subscriptions": {"ended_at": ("ended_at", "integer")}},
     ["raw_billing.subscriptions: column ended_at has type INTEGER, expected timestamp"]),
    ("three problems, one message",
     {"invoices": {"paid_at": None}, "subscription_items": {"quantity": "qty"},
      "plans": {"price": ("price", "boolean")}},
     ["raw_billing.plans: column price", "raw_billing.subscription_items: column quantity is missing",
      "raw_billing.invoices: column paid_at is missing"]),
]


@pytest.mark.parametrize("case,changes,expected", SHAPES, ids=[s[0] for s in SHAPES])
def test_wrong_shape_stops_before_any_model_with_one_message(tmp_path, capsys, case, changes, expected):
    message, models_run = _failed_build(tmp_path, _columns(**changes))
    _show(capsys, case, message)
    assert message.count("The raw billing tables do not match the raw contract") == 1, message
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in:\n{message}"
    assert not models_run, models_run


def test_missing_table_is_named(tmp_path, capsys):
    columns = _columns()
    del columns["fx_rates"]
    message, models_run = _failed_build(tmp_path, columns)
    _show(capsys, "missing table", message)
    assert "raw_billing.fx_rates: table not found" in message, message
    assert not models_run


def test_quote_in_billing_schema_is_refused(tmp_path, capsys):
    message, _ = _failed_build(tmp_path, _columns(), {"billing_schema": 'raw"billing'})
    _show(capsys, "quote in billing_schema", message)
    assert "var 'billing_schema' must be a plain identifier" in message, message


def test_null_typed_columns_pass_the_check(tmp_path):
    """A loader's all-null column has DuckDB's NULL type (`select null as x`): it
    can hold no value of the wrong type, so the check accepts it as any type."""
    db_path = tmp_path / "nulls.duckdb"
    write_raw_tables(db_path, {})
    connection = duckdb.connect(str(db_path))
    try:
        for table, column in (("customers", "email"), ("customers", "is_test"), ("customers", "created_at"),
                              ("plans", "price"), ("subscription_items", "plan_id")):
            connection.execute(f"create or replace table raw_billing.{table} as "
                               f"select * exclude ({column}), null as {column} from raw_billing.{table}")
        assert connection.execute("select data_type from information_schema.columns "
                                  "where table_name = 'plans' and column_name = 'price'").fetchone()[0] == '"NULL"'
    finally:
        connection.close()
    result = invoke_dbt(["run", "--select", "base_billing__customers"], db_path, tmp_path,
                        {"billing_schema": "raw_billing"})
    assert result.success, result.exception


# ---------------------------------------------------------------------------- text columns

def _as_text(value, row_number: int):
    """A value as a text-typed loader would write it, in a few spellings."""
    if value is None:
        return None
    if isinstance(value, bool):
        if value:
            return [" true ", "TRUE", "t", "yes", "1"][row_number % 5]
        return ["false", "F", "no", "0"][row_number % 4]
    if isinstance(value, datetime):
        return value.isoformat(sep=" T"[row_number % 2])
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return [str(value), f" {value} ", f"{value}.0"][row_number % 3]
    if isinstance(value, Decimal):
        return [str(value), f" {value}"][row_number % 2]
    return value


# Records whose values do not parse, each with the reason it must be rejected for.
# They point at parents that do not exist: an unparseable value is found first.
PLANTED = [
    ("customers", {"customer_id": "c_flag_maybe", "customer_name": "Maybe Ltd", "is_test": "maybe",
                   "updated_at": "2024-01-01 00:00:00"}, "unparseable is_test"),
    ("plans", {"plan_id": "pl_comma_price", "charge_type": "recurring", "billing_interval": "month",
               "price": "12,50", "currency": "EUR", "updated_at": "2024-01-01"}, "unparseable price"),
    ("subscriptions", {"subscription_id": "s_deleted_perhaps", "customer_id": "c_nowhere",
                       "started_at": "2024-01-01", "is_deleted": "perhaps", "updated_at": "2024-01-01"},
     "unparseable is_deleted"),
    ("subscription_items", {"subscription_item_id": "si_two_seats", "subscription_id": "s_nowhere",
                            "plan_id": "pl_nowhere", "quantity": "two", "valid_from": "2024-01-01",
                            "updated_at": "2024-01-01"}, "unparseable quantity"),
    ("subscription_items", {"subscription_item_id": "si_half_seat", "subscription_id": "s_nowhere",
                            "plan_id": "pl_nowhere", "quantity": "2.5", "valid_from": "2024-01-01",
                            "updated_at": "2024-01-01"}, "unparseable quantity"),
    ("subscription_items", {"subscription_item_id": "si_european_date", "subscription_id": "s_nowhere",
                            "plan_id": "pl_nowhere", "quantity": "1", "valid_from": "31/12/2024",
                            "updated_at": "2024-01-01"}, "unparseable valid_from"),
    ("invoices", {"invoice_id": "in_feb_30", "customer_id": "c_nowhere", "status": "paid", "currency": "USD",
                  "issued_at": "2024-02-30", "updated_at": "2024-03-01"}, "unparseable issued_at"),
    ("invoice_lines", {"invoice_line_id": "il_thousands", "invoice_id": "in_nowhere", "line_type": "one_time",
                       "amount": "1.234,50", "updated_at": "2024-03-01"}, "unparseable amount"),
    ("fx_rates", {"rate_date": "2024-01-15", "from_currency": "CHF", "to_currency": "USD", "rate": "n/a"},
     "unparseable rate"),
    ("fx_rates", {"rate_date": "31/12/2024", "from_currency": "CHF", "to_currency": "USD", "rate": "0.9"},
     "unparseable rate_date"),
    # A customer rejected for its own values takes its subscriptions along.
    ("subscriptions", {"subscription_id": "s_of_maybe", "customer_id": "c_flag_maybe", "started_at": "2024-01-01",
                       "updated_at": "2024-01-01"}, "customer rejected"),
]


def _record_id(table, row, reason):
    if reason == "unparseable rate_date":
        return None  # no date, no key
    if table == "fx_rates":
        return f"{row['from_currency']}>{row['to_currency']}@{row['rate_date']}"
    return next(iter(row.values()))


@pytest.fixture(scope="module")
def text_build(tmp_path_factory):
    history = generate(11)
    variables = history.variables()
    text_tables = {table: [{column: _as_text(value, n) for column, value in row.items()}
                           for n, row in enumerate(rows)] for table, rows in history.tables.items()}
    for table, row, _reason in PLANTED:
        text_tables[table].append(row)
    all_text = {table: {column: "varchar" for column in columns} for table, columns in CONTRACT.items()}
    work_dir = tmp_path_factory.mktemp("text_raw")
    db_path = work_dir / "mrr_test.duckdb"
    write_raw_tables(db_path, text_tables, table_columns=all_text)
    failed_tests = run_dbt_build(db_path, work_dir, variables)  # raises when a model errors
    log = (work_dir / "logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
    return history, variables, read_marts(db_path), failed_tests, log, db_path


def test_text_columns_build_and_warn(text_build, capsys):
    *_, failed_tests, log, _db = text_build
    assert not failed_tests, failed_tests
    warning = next(line for line in log.splitlines() if "Raw columns held as text" in line)
    warning = warning[warning.index("Raw columns"):]
    _show(capsys, "text columns (warning, the build goes on)", warning[:230] + " ...")
    assert "subscription_items.quantity" in warning and "plans.price" in warning


def test_text_columns_give_the_reference_marts_and_reject_unparseable_values(text_build, capsys):
    history, variables, dbt_marts, _failed, _log, _db = text_build
    expected = compute(history.tables, variables)
    expected["audit_rejected_records"] = expected["audit_rejected_records"] + [
        {"source_table": table, "record_id": _record_id(table, row, reason), "reason": reason}
        for table, row, reason in PLANTED]
    differences = report(dbt_marts, expected, MARTS)
    assert not differences, differences
    _show(capsys, "audit_rejected_records, the planted values", "\n".join(
        json.dumps(row) for row in dbt_marts["audit_rejected_records"]
        if row["reason"].startswith("unparseable") or row["reason"] == "customer rejected"))


def test_unit_tests_pass_on_text_typed_raw_tables(text_build, tmp_path):
    """dbt unit tests take their fixtures' column types from the real raw tables:
    on text-typed tables they must still pass (text is parsed, never compared)."""
    work_dir = tmp_path
    *_, db_path = text_build
    with _environment(MRR_DUCKDB_PATH=str(db_path), DBT_PROFILES_DIR=str(PROJECT_DIR),
                      DBT_SEND_ANONYMOUS_USAGE_STATS="False", MRR_TARGET="duckdb"):
        result = dbtRunner().invoke([
            "test", "--select", "test_type:unit", "--vars", json.dumps({"billing_schema": "raw_billing"}),
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
            "--no-partial-parse", "--quiet"])
    unit_tests = [n for n in (result.result or []) if n.node.unique_id.startswith("unit_test.")]
    bad = [f"{n.node.unique_id}: {n.message}" for n in unit_tests if str(n.status) != "pass"]
    assert result.success and unit_tests and not bad, "\n".join(bad) or result.exception
