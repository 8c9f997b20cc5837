"""Checks on the demo seeds written by scripts/generate_demo_data.py (package scripts/demo_data/).

1. The generator is deterministic: run into a temp dir, it reproduces the
   committed CSVs byte for byte.
2. The committed CSVs exercise every rule of the spec (intervals, discounts,
   trials, cancellations, versions, duplicates, soft deletes, messy codes, fx
   coverage) and hold a few invalid rows of every kind in docs/decisions.md.
   The classifier in demo_seeds.py follows the record lifecycle of
   docs/decisions.md just far enough to prove each rejection reason occurs; it is
   a coverage aid, not the project's reference implementation.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from demo_seeds import KEYS, SEEDS, TABLES, classify, code, key, read, winners
from raw_contract import raw_tables, reachable_with_typed_columns, rejection_reasons

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_demo_data.py"
GENERATOR_SOURCES = (SCRIPT, *sorted((ROOT / "scripts" / "demo_data").glob("*.py")))
EXPORT_AT = datetime(2026, 11, 24, 6, 0, 0)
SPEC_COLUMNS = {table: " ".join(columns) for table, columns in raw_tables().items()}
TIMESTAMP_COLUMNS = tuple(sorted({column for columns in raw_tables().values()
                                  for column, data_type in columns.items() if data_type == "timestamp"}))
BOOLEAN_COLUMNS = tuple(sorted({column for columns in raw_tables().values()
                                for column, data_type in columns.items() if data_type == "boolean"}))
# Every rejection reason of the one list (docs/decisions.md) that typed tables can hold,
# for the seven raw tables (the list also names the event sources' tables).
REASONS = {table: {reason for reason in reasons if reachable_with_typed_columns(reason)}
           for table, reasons in rejection_reasons().items() if table in raw_tables()}



@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict]]:
    return {t: read(SEEDS, t) for t in TABLES}



def ts(value: str) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S") if value else None


def num(value: str) -> float | None:
    return float(value) if value != "" else None



# --------------------------------------------------------------------------- 1. determinism


def test_generator_reproduces_committed_csvs(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)
    for table in TABLES:
        committed = (SEEDS / f"{table}.csv").read_bytes()
        regenerated = (tmp_path / f"{table}.csv").read_bytes()
        assert regenerated == committed, f"{table}.csv differs: run `make demo-data` and commit"


def test_generator_never_reads_the_clock():
    assert len(GENERATOR_SOURCES) > 5  # the package was found
    for path in GENERATOR_SOURCES:
        source = path.read_text(encoding="utf-8")
        for forbidden in ("datetime.now", "date.today", "datetime.today", "time.time(", "utcnow"):
            assert forbidden not in source, (path.name, forbidden)


# --------------------------------------------------------------------------- 2. shape and formats


def test_headers_match_spec(raw):
    for table in TABLES:
        with open(SEEDS / f"{table}.csv", encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split(",")
        assert header == SPEC_COLUMNS[table].split(), table


def test_value_formats(raw):
    for table, rows in raw.items():
        for r in rows:
            for col in TIMESTAMP_COLUMNS:
                if r.get(col):
                    ts(r[col])  # raises on any other format
            for col in BOOLEAN_COLUMNS:
                if col in r:
                    assert r[col] in ("true", "false"), (table, col, r[col])
    for r in raw["fx_rates"]:
        if r["rate_date"]:
            date.fromisoformat(r["rate_date"])


def test_history_window(raw):
    items = [ts(r["valid_from"]) for r in raw["subscription_items"] if r["valid_from"]]
    assert min(items) == datetime(2023, 11, 1)
    for table, rows in raw.items():
        for r in rows:
            for col in ("updated_at", "created_at", "paid_at", "canceled_at", "ended_at"):
                if r.get(col):
                    assert ts(r[col]) <= EXPORT_AT, (table, col, r)
    assert max(ts(r["issued_at"]) for r in raw["invoices"] if r["issued_at"]) > EXPORT_AT  # upcoming drafts


def test_sizes_are_demo_sized(raw):
    customers = {key(r["customer_id"]) for r in raw["customers"] if key(r["customer_id"])}
    assert 280 <= len(customers) <= 320
    assert sum(len(rows) for rows in raw.values()) < 40000


# --------------------------------------------------------------------------- 2. pricing rules


def test_every_billing_interval_and_count(raw):
    plans = winners(raw["plans"], "plans")
    used = {key(r["plan_id"]) for r in raw["subscription_items"]}
    shapes = {(code(p["billing_interval"]), p["billing_interval_count"]) for k, p in plans.items() if k in used}
    for interval in ("day", "week", "month", "quarter", "year"):
        assert any(s[0] == interval for s in shapes), interval
    assert ("month", "6") in shapes and ("year", "2") in shapes
    assert ("month", "") in shapes and ("month", "1") in shapes  # null count and an explicit 1
    assert any(code(p["charge_type"]) == "usage" and k in used for k, p in plans.items())
    assert any(p["price"] == "" for p in plans.values())  # negotiated-only plan


def test_item_pricing_features(raw):
    items = raw["subscription_items"]
    plans = winners(raw["plans"], "plans")
    assert any(r["quantity"] == "" for r in items)
    assert any(r["quantity"] and int(r["quantity"]) > 1 for r in items)
    assert any(r["unit_price"] and float(r["unit_price"]) > 0 for r in items)
    assert any(r["discount_percent"] and 0 < float(r["discount_percent"]) < 100 for r in items)
    assert any(r["discount_percent"] and float(r["discount_percent"]) == 100 for r in items)
    assert any(r["discount_amount"] and float(r["discount_amount"]) > 0 for r in items)
    over = []
    for r in items:
        plan = plans.get(key(r["plan_id"]))
        if r["discount_amount"] and plan and plan["price"]:
            price = num(r["unit_price"]) if r["unit_price"] else float(plan["price"])
            if float(r["discount_amount"]) > price * (int(r["quantity"] or 1)):
                over.append(r)
    assert over, "an amount discount larger than the price (floor at 0)"


# --------------------------------------------------------------------------- 2. lifecycle


def test_subscription_lifecycle(raw):
    subs = winners(raw["subscriptions"], "subscriptions").values()
    started = [s for s in subs if s["started_at"]]
    assert any(not s["started_at"] for s in subs)
    trials = [s for s in started if s["trial_end_at"]]
    assert trials and all(ts(s["trial_end_at"]) > ts(s["started_at"]) for s in trials)
    assert any(ts(s["trial_end_at"]) > EXPORT_AT for s in trials)
    assert any(s["ended_at"] and ts(s["ended_at"]) <= ts(s["trial_end_at"]) for s in trials)  # never converted
    assert any(s["ended_at"] for s in started)
    assert any(s["cancel_at"] and ts(s["cancel_at"]).year == 2027 for s in started)
    assert any(s["cancel_at"] and ts(s["cancel_at"]) < EXPORT_AT and not s["ended_at"] for s in started)
    assert any(s["canceled_at"] and not s["cancel_at"] and not s["ended_at"] for s in started)


def item_chains(raw) -> dict[str, list[dict]]:
    chains = defaultdict(list)
    for r in winners(raw["subscription_items"], "subscription_items").values():
        if r["valid_from"]:
            chains[key(r["subscription_id"])].append(r)
    return chains


def test_item_changes(raw):
    at_first, last_day, mid, seats, expiry, upgrade = [], [], [], [], [], []
    plans = winners(raw["plans"], "plans")
    for chain in item_chains(raw).values():
        for old in chain:
            for new in chain:
                if not old["valid_to"] or old["valid_to"] != new["valid_from"]:
                    continue
                t = ts(new["valid_from"])
                if t.day == 1 and t.time() == datetime.min.time():
                    at_first.append(t)
                elif (t + (datetime(2000, 1, 2) - datetime(2000, 1, 1))).day == 1:
                    last_day.append(t)
                else:
                    mid.append(t)
                if old["plan_id"] == new["plan_id"] and old["quantity"] != new["quantity"]:
                    seats.append(t)
                if (old["discount_percent"] or old["discount_amount"]) and not (
                        new["discount_percent"] or new["discount_amount"]):
                    expiry.append(t)
                if key(old["plan_id"]) != key(new["plan_id"]) and key(old["plan_id"]) in plans:
                    upgrade.append(t)
    assert at_first and last_day and mid and seats and expiry and upgrade


def test_reactivations_and_several_subscriptions(raw):
    subs = [s for s in winners(raw["subscriptions"], "subscriptions").values() if s["started_at"]]
    per_customer = defaultdict(list)
    for s in subs:
        per_customer[key(s["customer_id"])].append(s)
    assert sum(len(v) > 1 for v in per_customer.values()) >= 20
    reactivated = [c for c, v in per_customer.items()
                   if any(a["ended_at"] and any(ts(b["started_at"]) > ts(a["ended_at"]) for b in v) for a in v)]
    assert len(reactivated) >= 10


# --------------------------------------------------------------------------- 2. fx


def test_fx_business_days_every_pair(raw):
    by_day = defaultdict(set)
    for r in raw["fx_rates"]:
        if r["rate_date"] and r["from_currency"].strip() and r["to_currency"].strip():
            d = date.fromisoformat(r["rate_date"])
            assert d.weekday() < 5, r
            by_day[d].add((r["from_currency"].strip().upper(), r["to_currency"].strip().upper()))
    main = ("USD", "EUR", "GBP", "CAD", "AUD")
    pairs = {(a, b) for a in main for b in main if a != b}
    days = sorted(by_day)
    assert days[0] == date(2023, 10, 2) and days[-1] == date(2026, 11, 24)
    business = [d for d in (date.fromordinal(o) for o in range(days[0].toordinal(), days[-1].toordinal() + 1))
                if d.weekday() < 5]
    assert days == business
    assert all(pairs <= by_day[d] for d in days)
    jpy = [d for d in days if ("JPY", "USD") in by_day[d]]
    assert jpy[0] == date(2025, 4, 1)  # JPY rates start late: earlier JPY amounts have no rate


def test_currencies(raw):
    plans = winners(raw["plans"], "plans").values()
    currencies = {p["currency"].strip().upper() for p in plans}
    assert {"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF"} <= currencies
    invoiced = Counter(r["currency"].strip().upper() for r in raw["invoices"])
    assert sum(1 for c in ("USD", "EUR", "GBP", "CAD", "AUD") if invoiced[c] > 100) >= 4


# --------------------------------------------------------------------------- 2. invoices


def test_invoice_coverage(raw):
    statuses = {code(r["status"]) for r in raw["invoices"]}
    assert {"draft", "open", "paid", "uncollectible", "void"} <= statuses
    lines = raw["invoice_lines"]
    assert {"subscription", "proration", "usage", "one_time", "setup"} <= {code(r["line_type"]) for r in lines}
    assert any(code(r["line_type"]) == "proration" and float(r["amount"]) < 0 for r in lines)
    assert any(r["tax_amount"] and float(r["tax_amount"]) > 0 for r in lines)
    assert any(r["discount_amount"] and float(r["discount_amount"]) > 0 for r in lines)
    subscription_lines = [r for r in lines if code(r["line_type"]) == "subscription"]
    assert all(r["period_start"] and r["period_end"] for r in subscription_lines)
    annual = [r for r in subscription_lines
              if ts(r["period_start"]).month == ts(r["period_end"]).month
              and ts(r["period_end"]).year - ts(r["period_start"]).year == 1]
    assert len(annual) >= 20
    assert any(not r["subscription_id"] for r in raw["invoices"])  # one-off invoices


# --------------------------------------------------------------------------- 2. exclusions and versions


def test_test_customers_and_soft_deletes(raw):
    customers = winners(raw["customers"], "customers")
    test_ids = {k for k, c in customers.items() if c["is_test"] == "true"}
    deleted_ids = {k for k, c in customers.items() if c["is_deleted"] == "true"}
    assert len(test_ids) >= 4 and len(deleted_ids) >= 3
    subs = winners(raw["subscriptions"], "subscriptions")
    items = raw["subscription_items"]
    invoices = winners(raw["invoices"], "invoices")
    for group in (test_ids, deleted_ids):
        group_subs = {k for k, s in subs.items() if key(s["customer_id"]) in group}
        assert group_subs
        assert any(key(i["subscription_id"]) in group_subs for i in items)
        assert any(key(i["customer_id"]) in group for i in invoices.values())
    # A customer flagged deleted, then restored: its latest version counts.
    assert any(r["is_deleted"] == "true" and customers[key(r["customer_id"])]["is_deleted"] == "false"
               for r in raw["customers"] if key(r["customer_id"]) in customers)
    for table in ("customers", "plans", "subscriptions", "subscription_items", "invoices"):
        gone = [k for k, r in winners(raw[table], table).items() if r["is_deleted"] == "true"]
        assert gone, table
    deleted_subs = {k for k, s in subs.items() if s["is_deleted"] == "true"}
    assert any(key(i["subscription_id"]) in deleted_subs for i in items)
    deleted_plans = {k for k, p in winners(raw["plans"], "plans").items() if p["is_deleted"] == "true"}
    assert any(key(i["plan_id"]) in deleted_plans for i in items)
    deleted_invoices = {k for k, i in invoices.items() if i["is_deleted"] == "true"}
    assert any(key(line["invoice_id"]) in deleted_invoices for line in raw["invoice_lines"])


def test_versions_and_identical_copies(raw):
    tables_with_copies, tables_with_versions = [], []
    for table, rows in raw.items():
        seen = Counter(tuple(r.values()) for r in rows)
        if any(n > 1 for n in seen.values()):
            tables_with_copies.append(table)
        if table in KEYS:
            by_key = defaultdict(set)
            for r in rows:
                if key(r[KEYS[table]]):
                    by_key[key(r[KEYS[table]])].add(tuple(v for c, v in r.items() if c != "updated_at"))
            if sum(len(v) > 1 for v in by_key.values()) >= 3:
                tables_with_versions.append(table)
            # Equal key and updated_at means an identical copy (the spec's promise).
            versions = defaultdict(set)
            for r in rows:
                if key(r[KEYS[table]]):
                    versions[(key(r[KEYS[table]]), r["updated_at"])].add(tuple(r.values()))
            assert all(len(v) == 1 for v in versions.values()), table
    assert set(tables_with_copies) == set(TABLES)
    assert set(tables_with_versions) == set(KEYS)
    # Keys are trimmed before versions are compared: a padded key has a clean twin.
    padded = [r["subscription_id"] for r in raw["subscriptions"] if r["subscription_id"] != key(r["subscription_id"])]
    clean = {r["subscription_id"] for r in raw["subscriptions"]}
    assert any(key(p) in clean for p in padded)


def test_messy_codes(raw):
    values = defaultdict(set)
    for rows in raw.values():
        for r in rows:
            for col, v in r.items():
                values[col].add(v)
    assert " Month " in values["billing_interval"]
    assert "Recurring" in values["charge_type"]
    assert {"EUR ", "eur"} <= values["currency"]
    assert " us" in values["country_code"]
    assert "PAID" in values["status"]
    assert "Subscription " in values["line_type"]
    for col in ("customer_id", "subscription_id", "invoice_id", "plan_id"):
        assert any(v != v.strip() and v.strip() for v in values[col]), col
    assert any(v != v.strip() for v in values["from_currency"] | values["to_currency"] if v.strip())


# --------------------------------------------------------------------------- 2. invalid rows




@pytest.fixture(scope="module")
def dispositions(raw):
    return classify(raw)


EXCLUSIONS = {"kept", "superseded version", "duplicate copy", "soft deleted", "parent soft deleted", "test customer"}


def test_every_rejection_reason_occurs(dispositions):
    for table, expected in REASONS.items():
        found = {d for _, d in dispositions[table] if d not in EXCLUSIONS}
        assert found == expected, (table, expected ^ found)


def test_every_exclusion_occurs(dispositions):
    for table in ("subscriptions", "subscription_items", "invoices", "invoice_lines"):
        found = {d for _, d in dispositions[table]}
        # Invoice lines have no is_deleted of their own: they go with their invoice.
        expected = EXCLUSIONS - {"soft deleted"} if table == "invoice_lines" else EXCLUSIONS
        assert expected <= found, (table, expected - found)


def test_invalid_rows_are_a_small_minority(dispositions):
    """A few of each kind, so the demo marts still look like a real business."""
    for table, rows in dispositions.items():
        rejected = Counter(d for _, d in rows if d not in EXCLUSIONS)
        kept = [d for _, d in rows if d == "kept"]
        assert sum(rejected.values()) <= max(12, 0.05 * len(rows)), table
        assert max(rejected.values()) <= 15, (table, rejected)
        assert len(kept) >= 0.75 * len(rows), table


def test_excluded_records_are_not_validated(raw, dispositions):
    """An invalid row under a test or deleted customer is excluded, not rejected."""
    items = dict(zip((key(r["subscription_item_id"]) for r in raw["subscription_items"]),
                     (d for _, d in dispositions["subscription_items"])))
    assert any(r["quantity"] and int(r["quantity"]) < 0 and items[key(r["subscription_item_id"])] == "test customer"
               for r in raw["subscription_items"] if key(r["subscription_item_id"]))
    invoices = dict(dispositions["invoices"])
    assert any(code(r["status"]) == "refunded" and invoices[key(r["invoice_id"])] == "parent soft deleted"
               for r in raw["invoices"] if key(r["invoice_id"]))
