"""Golden event stories: each rule of the events path (docs/events.md) on a customer
of its own, with the expected MRR worked out by hand in the comment beside it.

The table is written as a loader that types nothing would land it: every column
text. One build (var billing_source: events) serves every test. as_of_date is
2024-06-15: June's snapshot day is the 15th, every other month's its last day.
Reporting currency USD; EUR is worth 1.10 USD from 2024-01-01 and 1.20 from
2024-04-01. Grace days: the default 7.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.event_tables import event_columns, write_events_duckdb

AS_OF = "2024-06-15"
FX_RATES = [
    {"rate_date": date(2024, 1, 1), "from_currency": "EUR", "to_currency": "USD", "rate": D("1.10")},
    {"rate_date": date(2024, 4, 1), "from_currency": "EUR", "to_currency": "USD", "rate": D("1.20")},
]

EVENTS = []  # (row, expected disposition)
_ids = iter(range(1, 10_000))


def event(name, at, customer, sub, value=None, currency="USD", disposition="kept", **extra):
    row = {"event_id": f"ev{next(_ids)}", "event_name": name, "occurred_at": at, "customer_id": customer,
           "subscription_id": sub, "monthly_recurring_value": value, "currency": currency, **extra}
    EVENTS.append((row, disposition))
    return row


def monthly(customer, sub, value, first, renewals, currency="USD", **extra):
    """A start on `first` and a renewal on each date of `renewals`, all at `value`."""
    event("subscription_started", first, customer, sub, value, currency, **extra)
    for day in renewals:
        event("subscription_renewed", day, customer, sub, value, currency)


# An annual plan: $1200 a year is 100 a month, every month of the paid year
# (a sum by event month would show 1200 in January and nothing after).
# MRR Jan-Jun 100.
event("subscription_started", "2024-01-15 09:00", "c_annual", "s_annual", "100", billing_interval="year",
      plan_id="pro_yearly", plan_name="Pro (yearly)", product_name="Pro", country_code=" de ", segment="SMB")

# A missed renewal: paid until 2024-04-05; 7 grace days end 04-12 < as_of, so it
# lapsed and ended on 04-05. MRR Feb 50, Mar 50, Apr 0 (churn).
monthly("c_lapse", "s_lapse", "50", "2024-02-05", ["2024-03-05"])

# Within the grace days: paid until 06-10, grace ends 06-17 >= as_of 06-15: still
# running. MRR May 40, Jun 40.
monthly("c_grace", "s_grace", "40", "2024-05-10", [])

# A duplicate: the start and a renewal delivered twice with one event_id each.
# MRR Mar-Jun 30, never 60.
monthly("c_dup", "s_dup", "30", "2024-03-01", ["2024-04-01", "2024-05-01", "2024-06-01"])
for row, _ in [e for e in EVENTS if e[0]["subscription_id"] == "s_dup"][:2]:
    EVENTS.append((dict(row), "duplicate copy"))

# Out of order: an upgrade effective 03-25 recorded on 05-01 (delivered first).
# MRR Feb 60, Mar-Jun 80; on plan pro_monthly an expansion in March.
event("subscription_updated", "2024-05-01", "c_order", "s_order", "80", effective_at="2024-03-25",
      plan_id="pro_monthly")
event("subscription_started", "2024-02-20", "c_order", "s_order", "60", plan_id="pro_monthly")
event("subscription_renewed", "2024-03-20", "c_order", "s_order", "60", plan_id="pro_monthly")
for day in ["2024-04-20", "2024-05-20"]:
    event("subscription_renewed", day, "c_order", "s_order", "80", plan_id="pro_monthly")

# A scheduled cancellation: requested 06-10, effective 07-01. MRR Jan-Jun 200 (still
# paying in June); the subscription's cancel_at is 07-01, ended_at null.
monthly("c_sched", "s_sched", "200", "2024-01-01", ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01",
                                                     "2024-06-01"])
event("subscription_cancelled", "2024-06-10", "c_sched", "s_sched", effective_at="2024-07-01")

# An immediate cancellation on 02-20. MRR Jan 20, Feb 0 (churn).
monthly("c_cancel", "s_cancel", "20", "2024-01-10", ["2024-02-10"])
event("subscription_cancelled", "2024-02-20", "c_cancel", "s_cancel", currency=None)

# A trial from 01-05 converting at the renewal of 02-05. MRR Jan 0, Feb-Jun 90.
event("subscription_started", "2024-01-05", "c_trial", "s_trial", "90", is_trial="true")
for day in ["2024-02-05", "2024-03-05", "2024-04-05", "2024-05-05", "2024-06-05"]:
    event("subscription_renewed", day, "c_trial", "s_trial", "90", is_trial="false")

# A trial that never converts: it lapses, it never counts. No MRR ever.
event("subscription_started", "2024-04-01", "c_trial_lost", "s_trial_lost", "70", is_trial="1")

# A reactivation: cancelled 02-15, an update while ended changes nothing, a new start
# on 04-10 reopens the same subscription. MRR Jan 25, Feb 0 (churn), Mar 0,
# Apr 35 (reactivation), May 35, Jun 35.
monthly("c_react", "s_react", "25", "2024-01-10", [])
event("subscription_cancelled", "2024-02-15", "c_react", "s_react")
event("subscription_updated", "2024-03-01", "c_react", "s_react", "99")
monthly("c_react", "s_react", "35", "2024-04-10", ["2024-05-10", "2024-06-10"])

# A foreign currency: 100 EUR from 02-01 locks 1.10 (110 USD); the April rate change
# moves nothing; an upgrade to 150 EUR on 05-01 locks 1.20 (180 USD).
# MRR Feb-Apr 110, May-Jun 180 (an expansion of 70 in May).
monthly("c_eur", "s_eur", "100", "2024-02-01", ["2024-03-01", "2024-04-01"], currency=" eur")
event("subscription_updated", "2024-05-01", "c_eur", "s_eur", "150", "EUR")
event("subscription_renewed", "2024-06-01", "c_eur", "s_eur", "150", "EUR")

# A rejected renewal (negative value) leaves the start's period to lapse: paid until
# 04-01, ended then. MRR Mar 10, Apr 0 (churn).
monthly("c_rej", "s_rej", "10", "2024-03-01", [])
event("subscription_renewed", "2024-04-01", "c_rej", "s_rej", "-5", disposition="negative monthly_recurring_value")

# A retried delivery: c_dup's May renewal sent again an hour later under the same
# event_id is a copy, whatever its own timestamp. MRR unchanged (c_dup above).
retry = next(row for row, _ in EVENTS if row["subscription_id"] == "s_dup" and row["occurred_at"] == "2024-05-01")
EVENTS.append(({**retry, "occurred_at": "2024-05-01 01:00"}, "duplicate copy"))

# Without an event_id an event is its content: a start sent twice, identical, is
# one event. MRR May 45, Jun 45.
monthly("c_noid", "s_noid", "45", "2024-05-02", ["2024-06-02"], event_id=None)
EVENTS.append((dict(EVENTS[-2][0]), "duplicate copy"))

# A trial upgraded during the trial (an update: no conversion) converts at the
# April renewal. MRR Mar 0, Apr 80, May 80, Jun 80.
event("subscription_started", "2024-03-01", "c_trial_up", "s_trial_up", "60", is_trial="true")
event("subscription_updated", "2024-03-20", "c_trial_up", "s_trial_up", "80")
for day in ["2024-04-01", "2024-05-01", "2024-06-01"]:
    event("subscription_renewed", day, "c_trial_up", "s_trial_up", "80")

# A quarterly plan started 04-10 pays until 07-10: it runs on as_of 06-15 without
# a renewal. MRR Apr 30, May 30, Jun 30.
event("subscription_started", "2024-04-10", "c_quarter", "s_quarter", "30", billing_interval="quarter")

# Rejected and ignored events, each on a subscription of its own so none moves MRR.
event("subscription_started", "2024-03-01", None, "s_no_customer", "10", disposition="missing customer_id")
event("subscription_started", "2024-03-01", "c_junk", None, "10", disposition="missing subscription_id")
event("subscription_started", "2024-03-01", "c_junk", "s_bad_value", "12,50",
      disposition="unparseable monthly_recurring_value")
event("subscription_started", "2024-03-01", "c_junk", "s_no_value", None, disposition="missing monthly_recurring_value")
event("subscription_started", "2024-03-01", "c_junk", "s_xyz", "10", "XYZ", disposition="no fx rate")
event("subscription_started", "2024-03-01", "c_junk", "s_fortnight", "10", billing_interval="fortnight",
      disposition="unknown billing_interval")
event("subscription_started", "31/03/2024", "c_junk", "s_bad_date", "10", disposition="unparseable occurred_at")
event("page_view", "2024-03-01", None, None, disposition="ignored event")
event("Subscription_Paused", "2024-03-01", "c_annual", "s_annual", disposition="ignored event")

EXPECTED_MRR = {
    "c_annual": {m: D(100) for m in range(1, 7)},
    "c_lapse": {2: D(50), 3: D(50), 4: D(0)},
    "c_grace": {5: D(40), 6: D(40)},
    "c_dup": {3: D(30), 4: D(30), 5: D(30), 6: D(30)},
    "c_order": {2: D(60), 3: D(80), 4: D(80), 5: D(80), 6: D(80)},
    "c_sched": {m: D(200) for m in range(1, 7)},
    "c_cancel": {1: D(20), 2: D(0)},
    "c_trial": {2: D(90), 3: D(90), 4: D(90), 5: D(90), 6: D(90)},
    "c_react": {1: D(25), 2: D(0), 4: D(35), 5: D(35), 6: D(35)},
    "c_eur": {2: D(110), 3: D(110), 4: D(110), 5: D(180), 6: D(180)},
    "c_rej": {3: D(10), 4: D(0)},
    "c_noid": {5: D(45), 6: D(45)},
    "c_trial_up": {4: D(80), 5: D(80), 6: D(80)},
    "c_quarter": {4: D(30), 5: D(30), 6: D(30)},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("events_golden")
    db_path = work / "mrr_test.duckdb"
    write_raw_tables(db_path, {"fx_rates": FX_RATES})
    # Every column text, as a loader that types nothing lands it.
    write_events_duckdb(db_path, [row for row, _ in EVENTS], columns={c: "varchar" for c in event_columns()})
    failed = run_dbt_build(db_path, work, {"billing_source": "events", "billing_schema": RAW_SCHEMA,
                                           "as_of_date": AS_OF})
    marts = read_marts(db_path, ["fct_mrr", "fct_mrr_by_plan", "fct_mrr_movements", "dim_customers",
                                 "audit_rejected_records", "audit_raw_row_accounting"])
    con = duckdb.connect(str(db_path))
    try:
        cursor = con.execute("select * from main.stg_events__subscriptions")
        names = [d[0] for d in cursor.description]
        marts["subscriptions"] = {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}
    finally:
        con.close()
    return marts, failed


def test_build_passes_its_data_tests(built):
    _, failed = built
    assert not [f for f in failed if "warn_rejected" not in f], failed


@pytest.mark.parametrize("customer", sorted(EXPECTED_MRR))
def test_mrr_worked_by_hand(built, customer):
    marts, _ = built
    got = {r["month"].month: r["mrr"] for r in marts["fct_mrr"] if r["customer_id"] == customer}
    expected = EXPECTED_MRR[customer]
    # Months not listed have no row (before the first MRR) or 0 after a churn.
    assert {m: v for m, v in got.items() if v or m in expected} == expected


def test_trial_that_never_converts_never_counts(built):
    marts, _ = built
    assert not [r for r in marts["fct_mrr"] if r["customer_id"] == "c_trial_lost" and r["mrr"]]


def test_movements_read_as_finance_would(built):
    marts, _ = built
    kinds = {(r["customer_id"], r["month"].month): r["movement_type"] for r in marts["fct_mrr"]}
    assert kinds[("c_react", 2)] == "churn" and kinds[("c_react", 4)] == "reactivation"
    assert kinds[("c_lapse", 4)] == "churn" and kinds[("c_cancel", 2)] == "churn"
    assert kinds[("c_eur", 4)] == "retained" and kinds[("c_eur", 5)] == "expansion"
    assert kinds[("c_sched", 6)] == "retained"
    # A value change on one plan is an expansion on that plan.
    plan_rows = [r for r in marts["fct_mrr_by_plan"] if r["customer_id"] == "c_order" and r["month"].month == 3]
    assert [(r["plan_id"], r["movement_type"]) for r in plan_rows] == [("pro_monthly", "expansion")]


def test_scheduled_and_actual_ends(built):
    subs = built[0]["subscriptions"]
    assert str(subs["s_sched"]["cancel_at"]) == "2024-07-01 00:00:00" and subs["s_sched"]["ended_at"] is None
    assert str(subs["s_lapse"]["ended_at"]) == "2024-04-05 00:00:00"
    assert str(subs["s_trial"]["trial_end_at"]) == "2024-02-05 00:00:00"
    assert subs["s_grace"]["ended_at"] is None and subs["s_grace"]["cancel_at"] is None


def test_customer_attributes_are_the_latest_known(built):
    customers = {r["customer_id"]: r for r in built[0]["dim_customers"]}
    assert customers["c_annual"]["country_code"] == "DE" and customers["c_annual"]["segment"] == "smb"


def test_every_event_is_accounted_for(built):
    marts, _ = built
    counts = {r["disposition"]: r["row_count"] for r in marts["audit_raw_row_accounting"]
              if r["source_table"] == "subscription_events" and r["row_count"]}
    expected = {}
    for _, disposition in EVENTS:
        key = disposition if disposition in ("kept", "duplicate copy", "ignored event") else "rejected"
        expected[key] = expected.get(key, 0) + 1
    assert counts == expected
    assert sum(counts.values()) == len(EVENTS)


def test_rejections_name_their_rule(built):
    marts, _ = built
    by_id = {row["event_id"]: d for row, d in EVENTS}
    got = {(r["record_id"], r["reason"]) for r in marts["audit_rejected_records"]}
    expected = {(i, d) for i, d in by_id.items() if d not in ("kept", "duplicate copy", "ignored event")}
    assert got == expected
