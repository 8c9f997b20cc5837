"""The committed demo seeds, read back, and a small classifier of their rows.

Shared by test_demo_data.py (coverage of the demo data) and test_demo_build.py
(the built project against it). The classifier follows the record lifecycle of
docs/decisions.md just far enough to give every raw row its disposition; it is a
coverage aid, not the project's reference implementation (tests/python/reference/).
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from mrr_tools.raw_tables import record_keys, table_names

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "billing"
TABLES = table_names()
KEYS = record_keys()


def read(directory: Path, table: str) -> list[dict]:
    with open(directory / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def key(value: str) -> str:
    return value.strip()


def code(value: str) -> str:
    return value.strip().lower()


def winners(rows: list[dict], table: str) -> dict[str, dict]:
    """Latest version per trimmed key (rows without a key are left out)."""
    out: dict[str, dict] = {}
    for r in rows:
        k = key(r[KEYS[table]])
        if k and (k not in out or r["updated_at"] > out[k]["updated_at"]):
            out[k] = r
    return out


def classify(raw) -> dict[str, list[tuple[str | None, str]]]:
    """(record_id, disposition) per raw row, following docs/decisions.md."""
    out: dict[str, list] = {t: [] for t in TABLES}
    state: dict[str, dict[str, str]] = {}  # table -> key -> disposition of the winning row
    all_keys = {t: {key(r[KEYS[t]]) for r in raw[t]} for t in KEYS}

    # fx rates: keyed by date and currency pair; conflicting rates reject both.
    fx_groups = defaultdict(list)
    for r in raw["fx_rates"]:
        f, t = r["from_currency"].strip().upper(), r["to_currency"].strip().upper()
        if not (r["rate_date"] and f and t):
            out["fx_rates"].append((None, "missing key"))
            continue
        fx_groups[(r["rate_date"], f, t)].append(float(r["rate"]))
    first_rate: dict[tuple[str, str], str] = {}  # (from, to) -> first usable date
    for (d, f, t), values in fx_groups.items():
        rid = f"{f}>{t}@{d}"
        if len(set(values)) > 1:
            out["fx_rates"] += [(rid, "conflicting rates")] * len(values)
            continue
        out["fx_rates"].append((rid, "non-positive rate" if values[0] <= 0 else "kept"))
        out["fx_rates"] += [(rid, "duplicate copy")] * (len(values) - 1)
        if values[0] > 0 and d < first_rate.get((f, t), "9999"):
            first_rate[(f, t)] = d

    def has_rate(ccy: str, when: str) -> bool:
        # A rate on or before `when` exists iff the first usable one is that early.
        return ccy == "USD" or first_rate.get((ccy, "USD"), "9999") <= when[:10]

    plans_w = winners(raw["plans"], "plans")
    customers_w = winners(raw["customers"], "customers")
    subs_w = winners(raw["subscriptions"], "subscriptions")
    invoices_w = winners(raw["invoices"], "invoices")

    def customer_gate(cid: str) -> str | None:
        c = customers_w.get(cid)
        if c is None:
            return None
        if c["is_deleted"] == "true":
            return "parent soft deleted"
        return "test customer" if c["is_test"] == "true" else None

    def decide(table: str, r: dict) -> str:
        if r.get("is_deleted") == "true":
            return "soft deleted"
        if table == "customers":
            return "test customer" if r["is_test"] == "true" else "kept"
        if table == "plans":
            if code(r["charge_type"]) not in ("recurring", "usage"):
                return "unknown charge_type"
            if code(r["billing_interval"]) not in ("day", "week", "month", "quarter", "year"):
                return "unknown billing_interval"
            if r["billing_interval_count"] and int(r["billing_interval_count"]) < 1:
                return "billing_interval_count below 1"
            return "negative price" if r["price"] and float(r["price"]) < 0 else "kept"
        if table == "subscriptions":
            gate = customer_gate(key(r["customer_id"]))
            if gate:
                return gate
            return "customer not found" if key(r["customer_id"]) not in all_keys["customers"] else "kept"
        if table == "subscription_items":
            sub_state = state["subscriptions"].get(key(r["subscription_id"]))
            plan_state = state["plans"].get(key(r["plan_id"]))
            if sub_state in ("soft deleted", "parent soft deleted") or plan_state == "soft deleted":
                return "parent soft deleted"
            if sub_state == "test customer":
                return "test customer"
            if key(r["subscription_id"]) not in all_keys["subscriptions"]:
                return "subscription not found"
            if sub_state != "kept":
                return "subscription rejected"
            if key(r["plan_id"]) not in all_keys["plans"]:
                return "plan not found"
            if plan_state != "kept":
                return "plan rejected"
            for col, reason in (("unit_price", "negative unit_price"), ("quantity", "negative quantity"),
                                ("discount_amount", "negative discount_amount")):
                if r[col] and float(r[col]) < 0:
                    return reason
            if r["discount_percent"] and not 0 <= float(r["discount_percent"]) <= 100:
                return "discount_percent outside 0-100"
            if not r["valid_from"]:
                return "missing valid_from"
            if r["valid_to"] and r["valid_to"] < r["valid_from"]:
                return "valid_to before valid_from"
            plan = plans_w[key(r["plan_id"])]
            if not r["unit_price"] and not plan["price"] and code(plan["charge_type"]) == "recurring":
                return "missing price"
            return "kept" if has_rate(plan["currency"].strip().upper(), r["valid_from"]) else "no fx rate"
        if table == "invoices":
            gate = customer_gate(key(r["customer_id"]))
            if gate:
                return gate
            if key(r["customer_id"]) not in all_keys["customers"]:
                return "customer not found"
            if code(r["status"]) not in ("draft", "open", "paid", "uncollectible", "void"):
                return "unknown status"
            if not r["issued_at"]:
                return "missing issued_at"
            return "kept" if has_rate(r["currency"].strip().upper(), r["issued_at"]) else "no fx rate"
        if table == "invoice_lines":
            inv_state = state["invoices"].get(key(r["invoice_id"]))
            if inv_state in ("soft deleted", "parent soft deleted", "test customer"):
                return "parent soft deleted" if "deleted" in inv_state else inv_state
            if key(r["invoice_id"]) not in all_keys["invoices"]:
                return "invoice not found"
            if inv_state != "kept":
                return "invoice rejected"
            if code(r["line_type"]) not in ("subscription", "proration", "usage", "one_time", "setup"):
                return "unknown line_type"
            if not r["amount"]:
                return "missing amount"
            if r["quantity"] and float(r["quantity"]) < 0:
                return "negative quantity"
            return "negative discount_amount" if r["discount_amount"] and float(r["discount_amount"]) < 0 else "kept"
        raise AssertionError(table)

    for table in KEYS:
        state[table] = {}
        latest = {"customers": customers_w, "plans": plans_w, "subscriptions": subs_w,
                  "invoices": invoices_w}.get(table) or winners(raw[table], table)
        for r in raw[table]:
            k = key(r[KEYS[table]])
            if not k:
                out[table].append((None, "missing key"))
                continue
            win = latest[k]
            if r is win:
                state[table][k] = decide(table, r)
                out[table].append((k, state[table][k]))
            else:
                out[table].append((k, "duplicate copy" if r["updated_at"] == win["updated_at"]
                                   else "superseded version"))
    return out
