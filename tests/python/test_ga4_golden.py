"""Golden GA4 stories: the GA4 export shape (billing_source: ga4; docs/events.md) on
customers of their own, with the expected MRR worked out by hand beside each.

The day tables are written as GA4's BigQuery export lands in DuckDB: one table per
day, event_params a list of structs, a number in int_value, double_value or
float_value as it was sent. as_of_date is 2024-05-20 (May's snapshot day), other
months' snapshot is their last day. Reporting currency USD.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import duckdb
import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.ga4_tables import Float, write_ga4_duckdb

AS_OF = "2024-05-20"
TABLES: dict[str, list] = {}
LABELS: list = []  # (table, expected disposition) per row written


def row(table, name, at, user, disposition="kept", pseudo="pseudo", **params):
    entry = {"event_timestamp": datetime.fromisoformat(at), "event_name": name, "user_id": user,
             "user_pseudo_id": pseudo, "params": params}
    TABLES.setdefault(table, []).append(entry)
    LABELS.append((table, disposition))
    return entry


def purchase(table, at, user, sub, value, **params):
    return row(table, "purchase", at, user, subscription_id=sub, monthly_recurring_value=value, currency="USD",
               **params)


# An integer value lands in int_value, 49.5 in double_value: both parse.
# c_int: MRR Mar 49, Apr 49, May 49. c_dbl: 49.5 each month.
for user, value in (("c_int", 49), ("c_dbl", 49.5)):
    purchase("events_20240301", "2024-03-01 10:00", user, f"s_{user}", value)
    purchase("events_20240401", "2024-04-01 10:00", user, f"s_{user}", value)
    # The same day also in an intraday table: read from the daily table only.
    TABLES.setdefault("events_intraday_20240401", []).append(TABLES["events_20240401"][-1])
    # The May renewal only in an intraday table (no daily table yet): read. Without
    # it, the April period (to May 1) plus 7 grace days would have lapsed by May 20.
    purchase("events_intraday_20240501", "2024-05-01 10:00", user, f"s_{user}", value)
# A row only in the intraday table of a day that has a daily table: never read, so
# c_int's April is not 999.
TABLES["events_intraday_20240401"].append(
    {"event_timestamp": datetime(2024, 4, 1, 12), "event_name": "subscription_updated", "user_id": "c_int",
     "user_pseudo_id": "pseudo", "params": {"subscription_id": "s_c_int", "monthly_recurring_value": 999,
                                            "currency": "USD"}})

# Identical rows (GA4 has no event id): one event. MRR Mar-May 30, never 60.
copy = purchase("events_20240305", "2024-03-05 08:00", "c_copy", "s_copy", 30)
TABLES["events_20240305"].append(dict(copy))
LABELS.append(("events_20240305", "duplicate copy"))
purchase("events_20240405", "2024-04-05 08:00", "c_copy", "s_copy", 30)
purchase("events_20240505", "2024-05-05 08:00", "c_copy", "s_copy", 30)

# Only user_pseudo_id: no customer, rejected (never the pseudo id as a customer).
purchase("events_20240305", "2024-03-05 09:00", None, "s_pseudo", 25, disposition="missing customer_id")

# A trial sent as a custom event with is_trial = 1 (int_value), converting at the
# April purchase. MRR Mar 0, Apr 20, May 20.
row("events_20240310", "subscription_started", "2024-03-10 00:00", "c_trial", subscription_id="s_trial",
    monthly_recurring_value=20, currency="usd", is_trial=1)
purchase("events_20240410", "2024-04-10 00:00", "c_trial", "s_trial", 20, is_trial="false")
purchase("events_20240510", "2024-05-10 00:00", "c_trial", "s_trial", 20)

# A cancellation scheduled ahead: effective_at an ISO 8601 text in UTC; a value in
# float_value. MRR Mar-May 100; the subscription's cancel_at is 2024-06-01.
purchase("events_20240301", "2024-03-01 00:00", "c_sched", "s_sched", Float(100.0))
purchase("events_20240401", "2024-04-01 00:00", "c_sched", "s_sched", 100)
purchase("events_20240502", "2024-05-02 00:00", "c_sched", "s_sched", 100)
row("events_20240515", "subscription_cancelled", "2024-05-15 00:00", "c_sched", subscription_id="s_sched",
    effective_at="2024-06-01T00:00:00Z")

# Ignored: a page view (no user), and a purchase that is no subscription's.
row("events_20240301", "page_view", "2024-03-01 11:00", None, disposition="ignored event", page="/pricing")
row("events_20240301", "purchase", "2024-03-01 12:00", "c_int", disposition="ignored event", value=12.5)

EXPECTED_MRR = {
    "c_int": {3: D(49), 4: D(49), 5: D(49)},
    "c_dbl": {3: D("49.5"), 4: D("49.5"), 5: D("49.5")},
    "c_copy": {3: D(30), 4: D(30), 5: D(30)},
    "c_trial": {4: D(20), 5: D(20)},
    "c_sched": {3: D(100), 4: D(100), 5: D(100)},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("ga4_golden")
    db_path = work / "mrr_test.duckdb"
    write_raw_tables(db_path, {"fx_rates": [
        {"rate_date": date(2024, 1, 1), "from_currency": "EUR", "to_currency": "USD", "rate": D("1.1")}]})
    write_ga4_duckdb(db_path, TABLES)
    failed = run_dbt_build(db_path, work, {"billing_source": "ga4", "ga4_schema": "ga4",
                                           "billing_schema": RAW_SCHEMA, "as_of_date": AS_OF})
    marts = read_marts(db_path, ["fct_mrr", "audit_rejected_records", "audit_raw_row_accounting"])
    con = duckdb.connect(str(db_path))
    try:
        marts["cancel_at"] = dict(con.execute(
            "select subscription_id, cancel_at from main.stg_events__subscriptions").fetchall())
    finally:
        con.close()
    return marts, failed


def test_build_passes_its_data_tests(built):
    assert not [f for f in built[1] if "warn_rejected" not in f], built[1]


@pytest.mark.parametrize("customer", sorted(EXPECTED_MRR))
def test_mrr_worked_by_hand(built, customer):
    got = {r["month"].month: r["mrr"] for r in built[0]["fct_mrr"] if r["customer_id"] == customer}
    assert {m: v for m, v in got.items() if v or m in EXPECTED_MRR[customer]} == EXPECTED_MRR[customer]


def test_pseudo_id_is_never_a_customer(built):
    marts, _ = built
    assert not [r for r in marts["fct_mrr"] if r["customer_id"] in ("pseudo", None)]
    assert [r["reason"] for r in marts["audit_rejected_records"]] == ["missing customer_id"]
    assert [r["source_table"] for r in marts["audit_rejected_records"]] == ["ga4_events"]


def test_scheduled_cancellation_from_iso_text(built):
    assert str(built[0]["cancel_at"]["s_sched"]) == "2024-06-01 00:00:00"


def test_every_row_read_is_accounted_for(built):
    """The rows read are the daily tables' and the intraday tables' of days without a
    daily table: events_intraday_20240401 is not read."""
    counts = {r["disposition"]: r["row_count"] for r in built[0]["audit_raw_row_accounting"]
              if r["source_table"] == "ga4_events" and r["row_count"]}
    expected = {}
    for table, disposition in LABELS:
        assert table != "events_intraday_20240401"
        key = disposition if disposition in ("kept", "duplicate copy", "ignored event") else "rejected"
        expected[key] = expected.get(key, 0) + 1
    assert counts == expected
