"""The raw contract as the tests read it: the seven raw tables and their columns
(mrr_tools.raw_tables, from the dbt source YAML) and the rejection reasons."""
from __future__ import annotations

from mrr_tools.raw_tables import ROOT, SOURCES_YML, normalise_type, raw_tables  # noqa: F401 (re-exported)

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
