"""The rejection reasons come from one list, the macro mrr_rejection_reasons
(macros/mrr_rejection_reasons.sql). The accepted_values test on
audit_rejected_records.reason reads it in dbt; here the table in
docs/decisions.md is checked against it, word for word and in order."""
from __future__ import annotations

import re

from raw_contract import ROOT, rejection_reasons


def _decisions_table() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    section = text.split("## Rejection reasons", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        match = re.match(r"^\| (\w+) \| (.*) \|$", line)
        if match and match.group(1) != "source_table":
            table[match.group(1)] = re.findall(r"`([^`]+)`", match.group(2))
    return table


def test_decisions_table_lists_the_one_list():
    assert _decisions_table() == rejection_reasons()


def test_models_write_no_reason_outside_the_list():
    """Every reason phrase a base model writes as a literal is in the list for its table."""
    listed = rejection_reasons()
    for table in listed:
        if table in ("subscription_events", "ga4_events"):
            # The events model writes its reasons through mrr_rejection_reason(), which checks them.
            continue
        sql = (ROOT / f"models/staging/billing/base/base_billing__{table}.sql").read_text(encoding="utf-8")
        reasons = re.findall(r"then '([^']+)'\s*$", sql, flags=re.MULTILINE)
        rules = [r for r in reasons if r not in ("soft deleted", "parent soft deleted", "test customer")]
        unknown = sorted(set(rules) - set(listed[table]))
        assert not unknown, f"base_billing__{table} writes reasons missing from the list: {unknown}"
