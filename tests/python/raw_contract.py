"""The raw contract as Python reads it: the seven raw tables and their columns,
from the one declaration of the raw schema, the dbt source YAML."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCES_YML = ROOT / "models" / "staging" / "billing" / "_billing__sources.yml"


def raw_tables() -> dict[str, dict[str, str]]:
    """{table: {column: data_type}}, tables and columns in the YAML's order."""
    document = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    (billing,) = [source for source in document["sources"] if source["name"] == "billing"]
    return {table["name"]: {column["name"]: column["data_type"] for column in table["columns"]}
            for table in billing["tables"]}


def normalise_type(data_type: str) -> str:
    """`DECIMAL(18, 4)` and `decimal(18,4)` are one type."""
    return "".join(str(data_type).lower().split())


REASONS_MACRO = ROOT / "macros" / "mrr_rejection_reasons.sql"


def rejection_reasons() -> dict[str, list[str]]:
    """{source_table: [reason, ...]} in evaluation order, from the one list (a macro)."""
    import ast

    text = REASONS_MACRO.read_text(encoding="utf-8")
    start = text.index("{{ return(") + len("{{ return(")
    end = text.index(") }}", start)
    return ast.literal_eval(text[start:end])


# Reasons that need raw values the typed demo tables cannot hold (text that does
# not parse), or a customer rejected for such a value.
TEXT_ONLY_REASONS = ("customer rejected",)


def reachable_with_typed_columns(reason: str) -> bool:
    return not reason.startswith("unparseable ") and reason not in TEXT_ONLY_REASONS
