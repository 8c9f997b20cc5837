"""Named customer stories with expected numbers worked out by hand from the spec.

All stories live in one raw dataset (one customer, or two, per story) and share a
single dbt build; each test then looks at its own customers. as_of_date is
2024-06-15, so June's snapshot day is the 15th and every other month's is its last
day. The expectations are written out literally, never computed by the reference.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

AS_OF = "2024-06-15"
EXPORT = datetime(2024, 6, 16, 3, 0)


def ts(text):
    return datetime.fromisoformat(text)


def m(text):
    """'2024-03' -> date(2024, 3, 1)."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def retained(first, last, mrr):
    """Months first..last (inclusive) with an unchanged MRR."""
    out, month = {}, m(first)
    while month <= m(last):
        out[month] = (D(mrr), "retained", D(0))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


# ------------------------------------------------------------------------- raw data
CUSTOMERS = [
    "cus_annual", "cus_upgrade", "cus_cancel", "cus_react", "cus_seats", "cus_disc", "cus_eur",
    "cus_trial", "cus_week", "cus_quarter", "cus_semi", "cus_midnight", "cus_cancel_early",
    "cus_softdel", "cus_asof_churn", "cus_asof_start", "cus_biennial", "cus_daily", "cus_free",
    "cus_usage", "cus_overlap", "cus_revenue",
]
PLANS = [
    # plan_id, charge_type, interval, count, price, currency
    ("g_year", "recurring", "year", 1, "1200", "USD"),
    ("g_basic", "recurring", "month", None, "50", "USD"),
    ("g_pro", "Recurring", " month", 1, "120", "usd"),
    ("g_seat", "recurring", "MONTH", 1, "20", "USD"),
    ("g_eur", "recurring", "month", 1, "100", " eur "),
    ("g_week", "recurring", "week", 1, "30", "USD"),
    ("g_quarter", "recurring", "quarter", 1, "330", "USD"),
    ("g_semi", "recurring", "month", 6, "900", "USD"),
    ("g_biennial", "recurring", "year", 2, "4800", "USD"),
    ("g_daily", "recurring", "Day", 1, "2", "USD"),
    ("g_usage", "usage", "month", 1, "0.10", "USD"),
    ("g_gbp", "recurring", "month", 1, "10", "GBP"),  # no GBP rate anywhere
]
# subscription_id, customer_id, started_at, extra subscription columns
SUBSCRIPTIONS = [
    ("gs_annual", "cus_annual", "2023-11-20 10:00", {}),
    ("gs_upgrade", "cus_upgrade", "2024-01-05 09:00", {}),
    ("gs_cancel", "cus_cancel", "2024-01-15 08:00",
     {"canceled_at": "2024-03-20 16:00", "cancel_at": "2024-04-15 00:00", "ended_at": "2024-04-15 00:00"}),
    ("gs_react_a", "cus_react", "2024-01-10 10:00", {"ended_at": "2024-02-20 12:00"}),
    ("gs_react_b", "cus_react", "2024-04-02 12:00", {}),
    ("gs_seats", "cus_seats", "2024-02-01 00:00", {}),
    ("gs_disc", "cus_disc", "2024-02-10 10:00", {}),
    ("gs_eur", "cus_eur", "2024-01-07 11:00", {}),
    ("gs_trial", "cus_trial", "2024-02-20 10:00", {"trial_end_at": "2024-03-05 00:00"}),
    ("gs_week", "cus_week", "2024-03-01 00:00", {}),
    ("gs_quarter", "cus_quarter", "2024-05-02 10:00", {}),
    ("gs_semi", "cus_semi", "2024-05-02 10:00", {}),
    ("gs_midnight", "cus_midnight", "2024-01-20 10:00", {}),
    ("gs_cancel_early", "cus_cancel_early", "2024-01-03 10:00",
     {"cancel_at": "2024-03-31 00:00", "ended_at": "2024-04-20 00:00"}),
    ("gs_softdel_gone", "cus_softdel", "2024-01-01 00:00", {"is_deleted": True}),
    ("gs_softdel_live", "cus_softdel", "2024-05-05 10:00", {}),
    ("gs_asof_churn", "cus_asof_churn", "2024-04-10 10:00", {"ended_at": "2024-06-15 00:00"}),
    ("gs_asof_start", "cus_asof_start", "2024-06-15 08:00", {}),
    ("gs_biennial", "cus_biennial", "2024-06-01 00:00", {}),
    ("gs_daily", "cus_daily", "2024-05-31 23:59:59", {}),
    ("gs_free", "cus_free", "2024-02-01 00:00", {}),
    ("gs_usage", "cus_usage", "2024-01-01 00:00", {}),
    ("gs_overlap_1", "cus_overlap", "2024-02-10 10:00", {"ended_at": "2024-05-20 10:00"}),
    ("gs_overlap_2", "cus_overlap", "2024-04-05 10:00", {}),
    ("gs_test", "cus_test", "2023-06-01 00:00", {}),
    ("gs_gone", "cus_gone", "2023-08-01 00:00", {}),
    ("gs_orphan", "cus_nobody", "2024-01-01 00:00", {}),
]
# item_id, subscription_id, plan_id, valid_from, valid_to, extra item columns
ITEMS = [
    ("gi_annual", "gs_annual", "g_year", "2023-11-20 10:00", None, {}),
    ("gi_upgrade_1", "gs_upgrade", "g_basic", "2024-01-05 09:00", "2024-03-12 14:00", {}),
    ("gi_upgrade_2", "gs_upgrade", "g_pro", "2024-03-12 14:00", None, {}),
    ("gi_bad_qty", "gs_upgrade", "g_pro", "2024-03-12 14:00", None, {"quantity": -2}),
    ("gi_cancel", "gs_cancel", "g_basic", "2024-01-15 08:00", None, {"unit_price": "80"}),
    ("gi_react_a", "gs_react_a", "g_basic", "2024-01-10 10:00", None, {"unit_price": "60"}),
    ("gi_react_b", "gs_react_b", "g_basic", "2024-04-02 12:00", None, {"unit_price": "90"}),
    ("gi_seats_1", "gs_seats", "g_seat", "2024-02-01 00:00", "2024-04-10 09:00", {"quantity": 10}),
    ("gi_seats_2", "gs_seats", "g_seat", "2024-04-10 09:00", None, {"quantity": 7}),
    ("gi_gbp", "gs_seats", "g_gbp", "2024-03-01 00:00", None, {}),
    ("gi_disc_1", "gs_disc", "g_pro", "2024-02-10 10:00", "2024-05-10 00:00", {"discount_percent": "25"}),
    ("gi_disc_2", "gs_disc", "g_pro", "2024-05-10 00:00", None, {}),
    ("gi_eur_1", "gs_eur", "g_eur", "2024-01-07 11:00", "2024-04-03 10:00", {}),
    ("gi_eur_2", "gs_eur", "g_eur", "2024-04-03 10:00", None, {"quantity": 2}),
    ("gi_trial", "gs_trial", "g_basic", "2024-02-20 10:00", None, {"unit_price": "70"}),
    ("gi_week", "gs_week", "g_week", "2024-03-01 00:00", None, {}),
    ("gi_quarter", "gs_quarter", "g_quarter", "2024-05-02 10:00", None, {}),
    ("gi_semi", "gs_semi", "g_semi", "2024-05-02 10:00", None, {}),
    ("gi_midnight_1", "gs_midnight", "g_basic", "2024-01-20 10:00", "2024-03-01 00:00", {}),
    ("gi_midnight_2", "gs_midnight", "g_pro", "2024-03-01 00:00", None, {}),
    ("gi_cancel_early", "gs_cancel_early", "g_basic", "2024-01-03 10:00", None, {"unit_price": "40"}),
    ("gi_softdel_gone", "gs_softdel_gone", "g_basic", "2024-01-01 00:00", None, {"unit_price": "500"}),
    ("gi_softdel_live", "gs_softdel_live", "g_basic", "2024-05-05 10:00", None, {"unit_price": "10"}),
    ("gi_asof_churn", "gs_asof_churn", "g_basic", "2024-04-10 10:00", None, {"unit_price": "25"}),
    ("gi_asof_start", "gs_asof_start", "g_basic", "2024-06-15 08:00", None, {"unit_price": "35"}),
    ("gi_biennial", "gs_biennial", "g_biennial", "2024-06-01 00:00", None, {}),
    ("gi_daily", "gs_daily", "g_daily", "2024-05-31 23:59:59", None, {}),
    ("gi_free_a", "gs_free", "g_basic", "2024-02-01 00:00", "2024-03-10 00:00", {"discount_percent": "100"}),
    ("gi_free_b", "gs_free", "g_basic", "2024-03-10 00:00", "2024-04-10 00:00", {"quantity": 0}),
    ("gi_free_c", "gs_free", "g_basic", "2024-04-10 00:00", "2024-05-15 00:00", {"discount_amount": "80"}),
    ("gi_free_d", "gs_free", "g_basic", "2024-05-15 00:00", None, {}),
    ("gi_usage", "gs_usage", "g_usage", "2024-01-01 00:00", None, {"quantity": 5000}),
    ("gi_overlap_1", "gs_overlap_1", "g_basic", "2024-02-10 10:00", None, {}),
    ("gi_overlap_2", "gs_overlap_2", "g_pro", "2024-04-05 10:00", None, {}),
    ("gi_test", "gs_test", "g_basic", "2023-06-01 00:00", None, {"unit_price": "1000"}),
    ("gi_gone", "gs_gone", "g_basic", "2023-08-01 00:00", None, {"unit_price": "300"}),
    ("gi_orphan", "gs_orphan", "g_basic", "2024-01-01 00:00", None, {}),
]
FX = [
    ("2024-01-02", "EUR", "USD", "1.10"),
    ("2024-01-05", "eur", " usd", "1.12"),  # a Friday: the rate of the weekend after it
    ("2024-02-01", "EUR", "USD", "1.20"),
    ("2024-04-01", "EUR", "USD", "1.05"),
    ("2024-01-06", "USD", "EUR", "0.50"),  # inverse: never used
]
# invoice_id, customer_id, status, currency, issued_at, [(line_type, amount, discount, tax)]
INVOICES = [
    ("gv_1", "cus_revenue", "paid", "USD", "2024-03-10 10:00",
     [("subscription", "100", "10", "20"), ("Usage", "15.50", None, "3")]),
    ("gv_2", "cus_revenue", "Draft", "USD", "2024-03-11 10:00", [("one_time", "500", None, None)]),
    ("gv_3", "cus_revenue", " open ", "eur", "2024-04-02 10:00",
     [("setup", "200", None, None), ("proration", "-20", None, None)]),
    ("gv_4", "cus_revenue", "void", "USD", "2024-04-05 10:00", [("one_time", "300", None, None)]),
    ("gv_5", "cus_revenue", "paid", "USD", "2024-06-16 00:00", [("one_time", "700", None, None)]),
    ("gv_6", "cus_revenue", "UNCOLLECTIBLE", "USD", "2023-09-30 23:00", [("one_time", "40", None, None)]),
    ("gv_test", "cus_test", "paid", "USD", "2024-03-10 10:00", [("subscription", "1000", None, None)]),
]


def golden_tables():
    customers = [{"customer_id": c, "customer_name": c, "email": None, "country_code": " us",
                  "segment": "smb", "is_test": False, "created_at": ts("2023-01-01 00:00"),
                  "updated_at": EXPORT, "is_deleted": False} for c in CUSTOMERS]
    customers += [
        # An older version flagged as test: the newer, real one wins.
        {**customers[0], "customer_id": " cus_annual ", "is_test": True, "updated_at": ts("2023-01-01 00:00")},
        {**customers[0], "customer_id": "cus_test", "is_test": True},
        {**customers[0], "customer_id": "cus_gone", "is_deleted": True},
    ]
    plans = [{"plan_id": p, "plan_name": p, "product_name": "golden", "charge_type": charge,
              "billing_interval": interval, "billing_interval_count": count, "price": D(price),
              "currency": currency, "updated_at": EXPORT, "is_deleted": False}
             for p, charge, interval, count, price, currency in PLANS]
    # An older price of g_pro must not be used.
    plans.append({**plans[2], "price": D("999"), "updated_at": ts("2023-01-01 00:00")})
    subscriptions = []
    for sid, cid, started, extra in SUBSCRIPTIONS:
        row = {"subscription_id": sid, "customer_id": cid, "status": "active",
               "created_at": ts(started), "started_at": ts(started), "trial_end_at": None,
               "canceled_at": None, "cancel_at": None, "ended_at": None, "updated_at": EXPORT,
               "is_deleted": False}
        row.update({k: ts(v) if isinstance(v, str) else v for k, v in extra.items()})
        subscriptions.append(row)
    items = []
    for iid, sid, pid, valid_from, valid_to, extra in ITEMS:
        row = {"subscription_item_id": iid, "subscription_id": sid, "plan_id": pid, "quantity": 1,
               "unit_price": None, "discount_percent": None, "discount_amount": None,
               "valid_from": ts(valid_from), "valid_to": ts(valid_to) if valid_to else None,
               "updated_at": EXPORT, "is_deleted": False}
        row.update({k: D(v) if isinstance(v, str) else v for k, v in extra.items()})
        items.append(row)
    invoices, lines = [], []
    for iid, cid, status, currency, issued, invoice_lines in INVOICES:
        invoices.append({"invoice_id": iid, "customer_id": cid, "subscription_id": None, "status": status,
                         "currency": currency, "issued_at": ts(issued), "due_at": None, "paid_at": None,
                         "updated_at": EXPORT, "is_deleted": False})
        for n, (line_type, amount, discount, tax) in enumerate(invoice_lines, 1):
            lines.append({"invoice_line_id": f"{iid}_l{n}", "invoice_id": iid, "subscription_id": None,
                          "plan_id": None, "line_type": line_type, "description": line_type,
                          "quantity": None, "amount": D(amount),
                          "discount_amount": D(discount) if discount else None,
                          "tax_amount": D(tax) if tax else None, "period_start": None, "period_end": None,
                          "updated_at": EXPORT})
    fx = [{"rate_date": date.fromisoformat(d), "from_currency": f, "to_currency": t, "rate": D(r)}
          for d, f, t, r in FX]
    return {"customers": customers, "plans": plans, "subscriptions": subscriptions,
            "subscription_items": items, "invoices": invoices, "invoice_lines": lines, "fx_rates": fx}


@pytest.fixture(scope="session")
def golden(session_dbt_build):
    return session_dbt_build(golden_tables(), {"as_of_date": AS_OF}, name="golden")


def rows_of(golden, customer_id):
    return {r["month"]: (r["mrr"], r["movement_type"], r["movement_amount"])
            for r in golden["fct_mrr"] if r["customer_id"] == customer_id}


# --------------------------------------------------------------------------- stories
STORIES = {
    # 1200 a year is 100 a month, from the month it starts through as_of.
    "annual plan": ("cus_annual", {m("2023-11"): (D(100), "new", D(100)), **retained("2023-12", "2024-06", 100)}),
    # 50 -> 120 on Mar 12: March's snapshot (the 31st) sees the new plan.
    "mid-month upgrade": ("cus_upgrade", {
        m("2024-01"): (D(50), "new", D(50)), **retained("2024-02", "2024-02", 50),
        m("2024-03"): (D(120), "expansion", D(70)), **retained("2024-04", "2024-06", 120)}),
    # Ends Apr 15 at midnight: March is the last month, April churns.
    "cancellation at period end": ("cus_cancel", {
        m("2024-01"): (D(80), "new", D(80)), **retained("2024-02", "2024-03", 80),
        m("2024-04"): (D(0), "churn", D(-80))}),
    # Gone by Feb's snapshot, back in April: a reactivation, not a new customer.
    "reactivation after a gap": ("cus_react", {
        m("2024-01"): (D(60), "new", D(60)), m("2024-02"): (D(0), "churn", D(-60)),
        m("2024-04"): (D(90), "reactivation", D(90)), **retained("2024-05", "2024-06", 90)}),
    # 10 seats -> 7 seats at 20 each.
    "seat reduction": ("cus_seats", {
        m("2024-02"): (D(200), "new", D(200)), **retained("2024-03", "2024-03", 200),
        m("2024-04"): (D(140), "contraction", D(-60)), **retained("2024-05", "2024-06", 140)}),
    # 25 % off 120 until May 10.
    "discount that expires": ("cus_disc", {
        m("2024-02"): (D(90), "new", D(90)), **retained("2024-03", "2024-04", 90),
        m("2024-05"): (D(120), "expansion", D(30)), **retained("2024-06", "2024-06", 120)}),
    # 100 EUR from Sunday Jan 7 at Friday's 1.12 = 112, locked while the rate moves to
    # 1.20; two seats from Apr 3 lock at Apr 1's 1.05: 2 * 100 * 1.05 = 210.
    "EUR customer while the rate moves": ("cus_eur", {
        m("2024-01"): (D(112), "new", D(112)), **retained("2024-02", "2024-03", 112),
        m("2024-04"): (D(210), "expansion", D(98)), **retained("2024-05", "2024-06", 210)}),
    # Trial Feb 20 - Mar 5: nothing in February, paid from March.
    "trial that converts": ("cus_trial", {m("2024-03"): (D(70), "new", D(70)), **retained("2024-04", "2024-06", 70)}),
    # 30 a week = 30 * 52 / 12 = 130 a month.
    "weekly plan": ("cus_week", {m("2024-03"): (D(130), "new", D(130)), **retained("2024-04", "2024-06", 130)}),
    # 330 a quarter = 110; 900 per 6 months = 150.
    "quarter x1 plan": ("cus_quarter", {m("2024-05"): (D(110), "new", D(110)), **retained("2024-06", "2024-06", 110)}),
    "month x6 plan": ("cus_semi", {m("2024-05"): (D(150), "new", D(150)), **retained("2024-06", "2024-06", 150)}),
    # 4800 per 2 years = 200, starting at midnight on the 1st of the as_of month.
    "year x2 plan": ("cus_biennial", {m("2024-06"): (D(200), "new", D(200))}),
    # 2 a day = 2 * 365 / 12 = 60.833333 (6 dp); starts one second before June, so it
    # counts on May 31.
    "daily plan starting at 23:59:59 on the last day": ("cus_daily", {
        m("2024-05"): (D("60.833333"), "new", D("60.833333")), **retained("2024-06", "2024-06", "60.833333")}),
    # Switch at 2024-03-01 00:00: February's snapshot (29th) still sees the old plan.
    "upgrade exactly at midnight on the 1st": ("cus_midnight", {
        m("2024-01"): (D(50), "new", D(50)), **retained("2024-02", "2024-02", 50),
        m("2024-03"): (D(120), "expansion", D(70)), **retained("2024-04", "2024-06", 120)}),
    # cancel_at Mar 31 00:00 comes before ended_at Apr 20: not counted on Mar 31.
    "cancel_at before ended_at": ("cus_cancel_early", {
        m("2024-01"): (D(40), "new", D(40)), **retained("2024-02", "2024-02", 40),
        m("2024-03"): (D(0), "churn", D(-40))}),
    # The soft-deleted subscription (500 since January) never counts.
    "soft-deleted subscription": ("cus_softdel", {
        m("2024-05"): (D(10), "new", D(10)), **retained("2024-06", "2024-06", 10)}),
    # Ends on the as_of date itself: not active on June's snapshot day, so it churns in June.
    "churn in the as_of month": ("cus_asof_churn", {
        m("2024-04"): (D(25), "new", D(25)), **retained("2024-05", "2024-05", 25),
        m("2024-06"): (D(0), "churn", D(-25))}),
    "start on the as_of date": ("cus_asof_start", {m("2024-06"): (D(35), "new", D(35))}),
    # 100 % off, zero seats, 80 off a 50 price: MRR 0, so no rows and never "had MRR";
    # the first paid month is "new".
    "free months before the first paid one": ("cus_free", {
        m("2024-05"): (D(50), "new", D(50)), **retained("2024-06", "2024-06", 50)}),
    # Two subscriptions at once: 50 + 120 in April, 120 after the first ends May 20.
    "overlapping subscriptions": ("cus_overlap", {
        m("2024-02"): (D(50), "new", D(50)), **retained("2024-03", "2024-03", 50),
        m("2024-04"): (D(170), "expansion", D(120)), m("2024-05"): (D(120), "contraction", D(-50)),
        **retained("2024-06", "2024-06", 120)}),
    "metered plan never counts": ("cus_usage", {}),
    "test customer never counts": ("cus_test", {}),
    "deleted customer never counts": ("cus_gone", {}),
}


@pytest.mark.parametrize("story", list(STORIES))
def test_story(golden, story):
    customer_id, expected = STORIES[story]
    actual = rows_of(golden, customer_id)
    assert actual == expected, (
        f"{story} ({customer_id}):\n  only in dbt: {sorted(set(actual.items()) - set(expected.items()))}"
        f"\n  expected, missing: {sorted(set(expected.items()) - set(actual.items()))}")


def test_movements_of_the_last_two_months(golden):
    by_month = {r["month"]: r for r in golden["fct_mrr_movements"]}
    # Window: first month with MRR (cus_annual, 2023-11; test and deleted customers
    # with earlier MRR do not count) through June 2024.
    assert sorted(by_month) == [m("2023-11"), m("2023-12")] + [m(f"2024-0{i}") for i in range(1, 7)]
    may, june = by_month[m("2024-05")], by_month[m("2024-06")]
    # May: new quarter 110 + semi 150 + softdel 10 + daily 60.833333 + free 50;
    # disc +30; overlap -50. April closed at 1265 with 11 customers.
    assert {k: may[k] for k in ("opening_mrr", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
                                "reactivation_mrr", "net_new_mrr", "closing_mrr")} == {
        "opening_mrr": D("1265"), "new_mrr": D("380.833333"), "expansion_mrr": D(30),
        "contraction_mrr": D(-50), "churned_mrr": D(0), "reactivation_mrr": D(0),
        "net_new_mrr": D("360.833333"), "closing_mrr": D("1625.833333")}
    assert {k: may[k] for k in ("opening_customers", "new_customers", "expansion_customers",
                                "contraction_customers", "churned_customers", "reactivated_customers",
                                "closing_customers")} == {
        "opening_customers": 11, "new_customers": 5, "expansion_customers": 1, "contraction_customers": 1,
        "churned_customers": 0, "reactivated_customers": 0, "closing_customers": 16}
    # June: new as_of start 35 + biennial 200; churn of cus_asof_churn 25.
    assert (june["opening_mrr"], june["new_mrr"], june["churned_mrr"], june["net_new_mrr"],
            june["closing_mrr"]) == (D("1625.833333"), D(235), D(-25), D(210), D("1835.833333"))
    assert (june["opening_customers"], june["new_customers"], june["churned_customers"],
            june["closing_customers"]) == (16, 2, 1, 17)


def test_churn_ratios_of_june(golden):
    june = next(r for r in golden["fct_churn"] if r["month"] == m("2024-06"))
    assert june["logo_churn_rate"] == D("0.0625")        # 1 of 16
    assert june["quick_ratio"] == D("9.4")               # 235 / 25
    # 25 / 1625.833333 and (1625.833333 - 25) / 1625.833333
    assert abs(june["gross_mrr_churn_rate"] - D("0.0153767")) < D("0.0000001")
    assert abs(june["net_revenue_retention"] - D("0.9846233")) < D("0.0000001")
    assert june["gross_revenue_retention"] == june["net_revenue_retention"]  # no expansion in June
    assert abs(june["arpa"] - D("107.990196")) <= D("0.000001")  # 1835.833333 / 17
    first = next(r for r in golden["fct_churn"] if r["month"] == m("2023-11"))
    assert first["logo_churn_rate"] is None and first["quick_ratio"] is None  # nothing to divide by


def test_revenue(golden):
    by_month = {r["month"]: r for r in golden["fct_revenue"]}
    # Starts with gv_6 (Sep 30, 2023), before the first MRR month.
    assert sorted(by_month) == [m("2023-09"), m("2023-10"), m("2023-11"), m("2023-12")] + [
        m(f"2024-0{i}") for i in range(1, 7)]
    cols = ("recurring_revenue", "usage_revenue", "one_time_revenue", "setup_revenue", "total_revenue")
    got = {month: tuple(by_month[month][c] for c in cols) for month in by_month}
    assert got[m("2023-09")] == (0, 0, D(40), 0, D(40))
    # gv_1: 100 - 10 discount (tax ignored) + usage 15.50; gv_2 is a draft; the test
    # customer's invoice is left out.
    assert got[m("2024-03")] == (D(90), D("15.5"), 0, 0, D("105.5"))
    # gv_3 in EUR at Apr 1's 1.05: setup 210, proration credit -21; gv_4 is void.
    assert got[m("2024-04")] == (D(-21), 0, 0, D(210), D(189))
    # gv_5 is issued the day after as_of.
    for month in ("2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-05", "2024-06"):
        assert got[m(month)] == (0, 0, 0, 0, 0), month


def test_audit(golden):
    assert sorted((r["source_table"], r["record_id"], r["reason"]) for r in golden["audit_rejected_records"]) == [
        ("subscription_items", "gi_bad_qty", "negative quantity"),
        ("subscription_items", "gi_gbp", "no fx rate"),
        ("subscription_items", "gi_orphan", "subscription rejected"),
        ("subscriptions", "gs_orphan", "customer not found"),
    ]


def test_dim_customers(golden):
    dim = {r["customer_id"]: (r["first_mrr_month"], r["last_mrr_month"], r["current_mrr"])
           for r in golden["dim_customers"]}
    assert set(dim) == set(CUSTOMERS)  # no test or deleted customer
    assert dim["cus_annual"] == (m("2023-11"), m("2024-06"), D(100))
    assert dim["cus_cancel"] == (m("2024-01"), m("2024-03"), D(0))
    assert dim["cus_react"] == (m("2024-01"), m("2024-06"), D(90))
    assert dim["cus_asof_churn"] == (m("2024-04"), m("2024-05"), D(0))
    assert dim["cus_revenue"] == (None, None, D(0))
    assert dim["cus_usage"] == (None, None, D(0))
