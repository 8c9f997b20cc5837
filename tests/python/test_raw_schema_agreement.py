"""The raw schema is declared once, in models/staging/billing/_billing__sources.yml.
Every other place in the repository that writes raw tables or reads their
columns must agree with it: same tables, same columns in the same order, same
types (issue: the raw contract inside the project)."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from dbt_harness import write_raw_tables
from mrr_tools import scale_data
from raw_contract import ROOT, normalise_type, raw_tables

CONTRACT = raw_tables()
TABLES = list(CONTRACT)
# The kind each contract type is parsed as in the base models (mrr_try_cast).
KIND = {"integer": "integer", "timestamp": "timestamp", "date": "date", "boolean": "boolean"}


def _kind(data_type: str) -> str | None:
    data_type = normalise_type(data_type)
    return "decimal" if data_type.startswith("decimal") else KIND.get(data_type)


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _table_types(db_path: Path, schema: str) -> dict[str, dict[str, str]]:
    con = duckdb.connect(str(db_path))
    try:
        rows = con.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = ? order by table_name, ordinal_position", [schema]).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, {})[column] = normalise_type(data_type)
    return out


def _normalised(tables: dict) -> dict[str, dict[str, str]]:
    return {table: {column: normalise_type(t) for column, t in columns.items()} for table, columns in tables.items()}


def _assert_same(found: dict, where: str):
    expected = _normalised(CONTRACT)
    assert sorted(found) == sorted(expected), f"{where}: tables differ from the source YAML"
    for table in expected:
        assert list(found[table].items()) == list(expected[table].items()), (
            f"{where}: {table} differs from the source YAML\n  yaml:  {list(expected[table].items())}\n"
            f"  found: {list(found[table].items())}")


def test_contract_lists_the_seven_tables_with_typed_described_columns():
    assert list(CONTRACT) == TABLES
    document = yaml.safe_load((ROOT / "models/staging/billing/_billing__sources.yml").read_text())
    for table in document["sources"][0]["tables"]:
        assert table.get("description"), table["name"]
        for column in table["columns"]:
            assert column.get("description") and column.get("data_type"), (table["name"], column["name"])


def test_seeds_yaml_column_types_agree():
    document = yaml.safe_load((ROOT / "seeds/billing/_billing__seeds.yml").read_text())
    # Text types are spelled per engine in Jinja (string on Spark): read them as DuckDB does.
    import jinja2
    target = {"type": "duckdb"}

    def rendered(value):
        return jinja2.Template(value).render(target=target) if "{{" in value else value

    found = {seed["name"]: {column: rendered(value) for column, value in seed["config"]["column_types"].items()}
             for seed in document["seeds"]}
    _assert_same(_normalised(found), "seeds/billing/_billing__seeds.yml")


def test_demo_generator_columns_agree():
    # The generator is the package scripts/demo_data/; its raw schema is in constants.py.
    generator = _load(ROOT / "scripts/demo_data/constants.py", "demo_data_constants_for_schema_check")
    for table in TABLES:
        assert list(generator.COLUMNS[table]) == list(CONTRACT[table]), f"scripts/demo_data/constants.py: {table}"


def test_committed_demo_csv_headers_agree():
    for table in TABLES:
        header = (ROOT / f"seeds/billing/{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header == list(CONTRACT[table]), f"seeds/billing/{table}.csv"


def test_test_harness_creates_the_contract_tables(tmp_path):
    db_path = tmp_path / "harness.duckdb"
    write_raw_tables(db_path, {}, schema="raw_billing")
    _assert_same(_table_types(db_path, "raw_billing"), "src/mrr_tools/raw_loading.py (write_duckdb)")


@pytest.mark.parametrize("shape", ["standard", "long"])
def test_scale_generator_writes_the_contract_tables(tmp_path, shape):
    db_path = tmp_path / "scale.duckdb"
    scale_data.generate(str(db_path), 30, "raw_scale", 1, "2026-10-31", 42, 1, "1GB", True, shape=shape)
    _assert_same(_table_types(db_path, "raw_scale"), "src/mrr_tools/scale_data.py")


# Typed columns the base models check but do not keep: no rule and no mart reads
# them, and the version window sorts every column it carries (docs/decisions.md,
# "Columns the staging models keep"). They are still checked for unparseable values.
CHECKED_NOT_KEPT = {"invoices": {"due_at", "paid_at"}, "invoice_lines": {"tax_amount"}}


@pytest.mark.parametrize("table", TABLES)
def test_base_model_parses_each_typed_column_as_its_contract_type(table):
    """Every non-text column is parsed with mrr_try_cast as its contract kind (unless
    the model does not keep it), and checked by mrr_unparseable_reason, so a text
    value that does not parse is a rejection and never a failed build."""
    sql = (ROOT / f"models/staging/billing/base/base_billing__{table}.sql").read_text()
    parsed = {(column.split(".")[-1], kind)
              for column, kind in re.findall(r"mrr_try_cast\('([\w.]+)', '(\w+)'\)", sql)}
    checked = set(re.findall(r"\['(\w+)', '(\w+)'\]", sql))
    for column, data_type in CONTRACT[table].items():
        kind = _kind(data_type)
        if kind is None:
            continue
        if column not in CHECKED_NOT_KEPT.get(table, set()):
            assert (column, kind) in parsed, f"base_billing__{table}: {column} is not parsed as {kind}"
        assert (column, kind) in checked, f"base_billing__{table}: {column} is not in mrr_unparseable_reason"
