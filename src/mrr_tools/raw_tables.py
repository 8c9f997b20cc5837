"""The raw tables' names and columns, read from the one declaration of the raw
schema, the dbt source YAML (models/staging/billing/_billing__sources.yml).

Every script, benchmark and test that needs the list of raw tables or their
columns reads it here instead of keeping its own copy.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

# The package is installed editable from the project (pyproject.toml): src/mrr_tools/ -> project.
ROOT = Path(__file__).resolve().parents[2]
SOURCES_YML = ROOT / "models" / "staging" / "billing" / "_billing__sources.yml"


def raw_tables() -> dict[str, dict[str, str]]:
    """{table: {column: data_type}}, tables and columns in the YAML's order."""
    return {table: dict(columns) for table, columns in _declared().items()}


@cache
def _declared() -> dict[str, tuple[tuple[str, str], ...]]:
    document = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    (billing,) = [source for source in document["sources"] if source["name"] == "billing"]
    return {table["name"]: tuple((column["name"], column["data_type"]) for column in table["columns"])
            for table in billing["tables"]}


def table_names() -> tuple[str, ...]:
    """The raw tables, in the YAML's order."""
    return tuple(_declared())


def column_names(table: str) -> list[str]:
    return [name for name, _ in _declared()[table]]


def normalise_type(data_type: str) -> str:
    """`DECIMAL(18, 4)` and `decimal(18,4)` are one type."""
    return "".join(str(data_type).lower().split())


def record_keys() -> dict[str, str]:
    """{table: key column} of the tables whose rows are versions of a keyed record
    (they carry updated_at); the key is the table's first column. fx_rates has no
    versions and no key."""
    return {table: columns[0][0] for table, columns in _declared().items()
            if "updated_at" in dict(columns)}
