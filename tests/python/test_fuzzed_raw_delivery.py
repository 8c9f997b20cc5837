"""A fuzzed raw delivery: every raw table typed as text, and garbage of thirty
kinds in a share of every column (keys, amounts, dates, flags, codes alike).

What a careful analyst expects of such a delivery: the build stays green (no
model errors, every error-severity data test passes), every raw row is accounted
for (audit_raw_row_accounting adds up to the raw tables, counted here
independently), and every rejected record names a reason from the project's one
list (macros/mrr_rejection_reasons.sql).
"""
from __future__ import annotations

import random
from collections import Counter

import duckdb
import pytest

from dbt_harness import read_marts, run_dbt_build, write_raw_tables
from mrr_tools.random_histories import generate
from raw_contract import raw_tables, rejection_reasons

SHARE = 0.03  # of every column's cells, at least one cell per column
GARBAGE = [
    "", " ", "\t", "NULL", "null", "None", "NaN", "inf", "-inf", "1e309", "12,50", "1.234,50", "1 000",
    "0x1F", "--", "'; drop table customers; --", '"quoted"', "ünïcødé", "日本語", "🙂", "x" * 300,
    "2024-02-30", "31/12/2024", "0000-00-00", "9999-12-31 24:00:00", "2024-13-01", "yes please",
    "-0", "+-1", "line\nbreak",
]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _fuzzed(tables: dict, seed: int) -> dict:
    rng = random.Random(seed)
    contract = raw_tables()
    out = {}
    for table, rows in tables.items():
        text_rows = [{column: _text(row.get(column)) for column in contract[table]} for row in rows]
        for column in contract[table]:
            for index in rng.sample(range(len(text_rows)), max(1, round(SHARE * len(text_rows)))):
                text_rows[index][column] = rng.choice(GARBAGE)
        out[table] = text_rows
    return out


@pytest.fixture(scope="module")
def fuzzed_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    history = generate(23)
    tables = _fuzzed(history.tables, 23)
    db_path = work / "fuzz.duckdb"
    text_columns = {table: {column: "varchar" for column in columns} for table, columns in raw_tables().items()}
    write_raw_tables(db_path, tables, table_columns=text_columns)
    failed_tests = run_dbt_build(db_path, work, history.variables())
    return db_path, tables, failed_tests


def test_every_column_got_garbage_and_the_build_is_green(fuzzed_build):
    _db_path, tables, failed_tests = fuzzed_build
    for table, rows in tables.items():
        for column in raw_tables()[table]:
            assert any(row[column] in GARBAGE for row in rows), (table, column)
    assert not failed_tests, "\n".join(failed_tests)


def test_every_raw_row_is_accounted_for(fuzzed_build):
    db_path, tables, _failed = fuzzed_build
    accounted = Counter()
    for row in read_marts(db_path, ("audit_raw_row_accounting",))["audit_raw_row_accounting"]:
        accounted[row["source_table"]] += row["row_count"]
    connection = duckdb.connect(str(db_path))
    try:
        raw = {table: connection.execute(f"select count(*) from raw_billing.{table}").fetchone()[0]
               for table in tables}
    finally:
        connection.close()
    assert raw == {table: len(rows) for table, rows in tables.items()}
    assert dict(accounted) == raw


def test_rejections_name_reasons_from_the_one_list(fuzzed_build):
    db_path, _tables, _failed = fuzzed_build
    # The seven raw tables' reasons (the list also names the event sources' tables).
    listed = {table: reasons for table, reasons in rejection_reasons().items() if table in raw_tables()}
    rejected = read_marts(db_path, ("audit_rejected_records",))["audit_rejected_records"]
    reasons = {(row["source_table"], row["reason"]) for row in rejected}
    assert {table for table, _reason in reasons} == set(listed), "garbage in every table rejects records"
    unknown = sorted((table, reason) for table, reason in reasons if reason not in listed[table])
    assert not unknown, unknown
