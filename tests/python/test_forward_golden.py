"""Spec section 9 on named customer stories, with the numbers worked out by hand.

One raw dataset, one dbt build; every expectation is checked against dbt's marts
and against the Python reference (no build) alike, so a wrong hand number, a
wrong reference and a wrong model all show. as_of_date is 2024-06-15, mid-month:
the complete months end with May 2024 (L), the forward months are July 2024 to
June 2025, and the vars keep their defaults (12 forward months, a 3-month trend,
delinquent after 14 days).

MRR of each customer at the snapshot days (the 15th for June 2024):

    customer  2023-06..12  2024-01  02     03     04     05     06   forward
    cus_a         5000      5000   5000   5000   5000   5000   5000  cancel_at Dec 31 00:00: 0 from Dec
    cus_z            -     10000  10000  10000  10000      -      -  ended May 20
    cus_b            -       200    200    200    150    150    150  4 -> 3 seats on Apr 10
    cus_d            -         -      -    300    300    300    300  3 -> 1 seat from Sep 15: 100
    cus_e            -         -      -      -     50     80     80
    cus_g            -       400    400    400    400    400    400  invoice 15 days overdue
    cus_h            -        60     60     60     60     60     60  invoices 14 and 10 days overdue
    cus_i            -       500    500    500    400    400    400  4 -> 1 seat from Oct 1; 45 days overdue
    cus_j            -        70     70     70     70     70     70  cancel_at Aug 1 00:00: 0 from Aug
    cus_k            -        90     90      -      -      -      -  back on Jul 10 at 90 (reactivation)
    cus_f            -         -      -      -      -      -      -  trial Jun 1 - Jul 20, then 120

Closing MRR: 5000 (Jun-Dec 2023), 16320, 16320, 16530, 16430, 6460, 6460 (Jun 15).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from dbt_harness import build_marts, read_marts
from reference.mrr_reference import compute

AS_OF = "2024-06-15"
EXPORT = datetime(2024, 6, 16, 3, 0)
FORWARD_MARTS = ("fct_mrr_committed", "fct_mrr_forecast", "fct_mrr_forecast_backtest", "fct_mrr_growth",
                 "fct_mrr_at_risk")


def ts(text):
    return datetime.fromisoformat(text)


def m(text):
    year, month = text.split("-")
    return date(int(year), int(month), 1)


# ------------------------------------------------------------------------- raw data
CUSTOMERS = {  # customer_id: (segment, country_code) as the export spells them
    "cus_a": (" Enterprise", " de"), "cus_z": ("enterprise", "US"), "cus_b": ("smb", "us"),
    "cus_d": ("mid_market", "FR "), "cus_e": ("smb", "us"), "cus_g": (None, None), "cus_h": ("smb", "gb"),
    "cus_i": ("mid_market", "us"), "cus_j": ("SMB", "us"), "cus_k": ("smb", "us"), "cus_f": ("smb", "us"),
}
# subscription_id, customer_id, started_at, extra subscription columns
SUBSCRIPTIONS = [
    ("fs_a", "cus_a", "2023-06-01 00:00", {"canceled_at": "2024-06-01 09:00", "cancel_at": "2024-12-31 00:00"}),
    ("fs_z", "cus_z", "2024-01-03 10:00", {"ended_at": "2024-05-20 00:00"}),
    ("fs_b", "cus_b", "2024-01-10 10:00", {}),
    ("fs_d", "cus_d", "2024-03-04 10:00", {}),
    ("fs_e", "cus_e", "2024-04-02 10:00", {}),
    ("fs_g", "cus_g", "2024-01-08 10:00", {}),
    ("fs_h", "cus_h", "2024-01-09 10:00", {}),
    ("fs_i", "cus_i", "2024-01-11 10:00", {}),
    ("fs_j", "cus_j", "2024-01-12 10:00", {"canceled_at": "2024-06-02 10:00", "cancel_at": "2024-08-01 00:00"}),
    ("fs_k1", "cus_k", "2024-01-15 10:00", {"ended_at": "2024-03-01 00:00"}),
    ("fs_k2", "cus_k", "2024-07-10 09:00", {}),
    ("fs_f", "cus_f", "2024-06-01 09:00", {"trial_end_at": "2024-07-20 00:00"}),
    ("fs_test", "cus_test", "2024-01-01 00:00", {}),
]
# item_id, subscription_id, valid_from, valid_to, quantity, unit_price (plan f_month, 100 USD a month)
ITEMS = [
    ("fi_a", "fs_a", "2023-06-01 00:00", None, 1, "5000"),
    ("fi_z", "fs_z", "2024-01-03 10:00", None, 1, "10000"),
    ("fi_b1", "fs_b", "2024-01-10 10:00", "2024-04-10 00:00", 4, "50"),
    ("fi_b2", "fs_b", "2024-04-10 00:00", None, 3, "50"),
    ("fi_d1", "fs_d", "2024-03-04 10:00", "2024-09-15 00:00", 3, None),
    ("fi_d2", "fs_d", "2024-09-15 00:00", None, 1, None),
    ("fi_e1", "fs_e", "2024-04-02 10:00", "2024-05-02 00:00", 1, "50"),
    ("fi_e2", "fs_e", "2024-05-02 00:00", None, 1, "80"),
    ("fi_g", "fs_g", "2024-01-08 10:00", None, 1, "400"),
    ("fi_h", "fs_h", "2024-01-09 10:00", None, 1, "60"),
    ("fi_i1", "fs_i", "2024-01-11 10:00", "2024-04-05 00:00", 5, None),
    ("fi_i2", "fs_i", "2024-04-05 00:00", "2024-10-01 00:00", 4, None),
    ("fi_i3", "fs_i", "2024-10-01 00:00", None, 1, None),
    ("fi_j", "fs_j", "2024-01-12 10:00", None, 1, "70"),
    ("fi_k1", "fs_k1", "2024-01-15 10:00", None, 1, "90"),
    ("fi_k2", "fs_k2", "2024-07-10 09:00", None, 1, "90"),
    ("fi_f", "fs_f", "2024-06-01 09:00", None, 1, "120"),
    ("fi_test", "fs_test", "2024-01-01 00:00", None, 1, "900"),
]
# invoice_id, customer_id, status, currency, issued_at, due_at, paid_at, is_deleted,
# [(line_type, amount, discount, tax)]
INVOICES = [
    # 15 days overdue on Jun 15: delinquent. 400 + 25 - 5 discount, tax left out: 420.
    ("fv_g", "cus_g", "open", "USD", "2024-05-01 10:00", "2024-05-31 10:00", None, False,
     [("subscription", "400", None, "30"), ("one_time", "25", "5", None)]),
    # 14 days: overdue, not yet delinquent.
    ("fv_h1", "cus_h", " Uncollectible", "USD", "2024-05-02 10:00", "2024-06-01 10:00", None, False,
     [("subscription", "60", None, None)]),
    # Paid after as_of: still unpaid on Jun 15. 50 EUR at the issue date's 1.10 = 55.
    ("fv_h2", "cus_h", "open", "eur", "2024-05-06 10:00", "2024-06-05 00:00", "2024-06-20 08:00", False,
     [("subscription", "50", None, None)]),
    # Not overdue: paid on as_of, due on as_of, a draft, a paid invoice without paid_at,
    # issued after as_of, no due date, void.
    ("fv_h3", "cus_h", "open", "USD", "2024-05-10 10:00", "2024-06-10 00:00", "2024-06-15 09:00", False,
     [("subscription", "1000", None, None)]),
    ("fv_h4", "cus_h", "open", "USD", "2024-05-15 10:00", "2024-06-15 00:00", None, False,
     [("subscription", "1000", None, None)]),
    ("fv_h5", "cus_h", "draft", "USD", "2024-03-01 10:00", "2024-04-01 00:00", None, False,
     [("subscription", "1000", None, None)]),
    ("fv_h6", "cus_h", "paid", "USD", "2024-03-01 10:00", "2024-04-01 00:00", None, False,
     [("subscription", "1000", None, None)]),
    ("fv_h7", "cus_h", "open", "USD", "2024-06-16 08:00", "2024-06-01 00:00", None, False,
     [("subscription", "1000", None, None)]),
    ("fv_h8", "cus_h", "open", "USD", "2024-04-01 10:00", None, None, False, [("subscription", "1000", None, None)]),
    ("fv_h9", "cus_h", "void", "USD", "2024-03-01 10:00", "2024-04-01 00:00", None, False,
     [("subscription", "1000", None, None)]),
    ("fv_i", "cus_i", "open", "USD", "2024-04-01 10:00", "2024-05-01 00:00", None, False,
     [("subscription", "400", None, None)]),
    # Soft-deleted: gone, however overdue.
    ("fv_i_deleted", "cus_i", "open", "USD", "2023-12-01 10:00", "2024-01-01 00:00", None, True,
     [("subscription", "1000", None, None)]),
    ("fv_j", "cus_j", "open", "USD", "2024-05-10 10:00", "2024-06-10 00:00", None, False,
     [("subscription", "70", None, None)]),
    # Overdue, but cus_z pays nothing on as_of: not a row.
    ("fv_z", "cus_z", "uncollectible", "USD", "2024-04-25 10:00", "2024-05-25 00:00", None, False,
     [("subscription", "10000", None, None)]),
    ("fv_test", "cus_test", "open", "USD", "2024-04-01 10:00", "2024-05-01 00:00", None, False,
     [("subscription", "900", None, None)]),
]
FX = [("2024-05-01", "EUR", "USD", "1.10"), ("2024-06-01", "EUR", "USD", "1.30")]


def forward_tables():
    customers = [{"customer_id": c, "customer_name": c, "email": f"{c}@example.com", "country_code": country,
                  "segment": segment, "is_test": False, "created_at": ts("2023-01-01 00:00"), "updated_at": EXPORT,
                  "is_deleted": False} for c, (segment, country) in CUSTOMERS.items()]
    customers.append({**customers[0], "customer_id": "cus_test", "is_test": True})
    plans = [{"plan_id": "f_month", "plan_name": "f_month", "product_name": "forward", "charge_type": "recurring",
              "billing_interval": "month", "billing_interval_count": 1, "price": D(100), "currency": "USD",
              "updated_at": EXPORT, "is_deleted": False}]
    subscriptions = []
    for sid, cid, started, extra in SUBSCRIPTIONS:
        row = {"subscription_id": sid, "customer_id": cid, "status": "active", "created_at": ts(started),
               "started_at": ts(started), "trial_end_at": None, "canceled_at": None, "cancel_at": None,
               "ended_at": None, "updated_at": EXPORT, "is_deleted": False}
        row.update({k: ts(v) for k, v in extra.items()})
        subscriptions.append(row)
    items = [{"subscription_item_id": iid, "subscription_id": sid, "plan_id": "f_month", "quantity": quantity,
              "unit_price": D(price) if price else None, "discount_percent": None, "discount_amount": None,
              "valid_from": ts(valid_from), "valid_to": ts(valid_to) if valid_to else None, "updated_at": EXPORT,
              "is_deleted": False} for iid, sid, valid_from, valid_to, quantity, price in ITEMS]
    invoices, lines = [], []
    for iid, cid, status, currency, issued, due, paid, deleted, invoice_lines in INVOICES:
        invoices.append({"invoice_id": iid, "customer_id": cid, "subscription_id": None, "status": status,
                         "currency": currency, "issued_at": ts(issued), "due_at": ts(due) if due else None,
                         "paid_at": ts(paid) if paid else None, "updated_at": EXPORT, "is_deleted": deleted})
        for n, (line_type, amount, discount, tax) in enumerate(invoice_lines, 1):
            lines.append({"invoice_line_id": f"{iid}_l{n}", "invoice_id": iid, "subscription_id": None,
                          "plan_id": None, "line_type": line_type, "description": line_type, "quantity": None,
                          "amount": D(amount), "discount_amount": D(discount) if discount else None,
                          "tax_amount": D(tax) if tax else None, "period_start": None, "period_end": None,
                          "updated_at": EXPORT})
    fx = [{"rate_date": date.fromisoformat(d), "from_currency": f, "to_currency": t, "rate": D(r)}
          for d, f, t, r in FX]
    return {"customers": customers, "plans": plans, "subscriptions": subscriptions, "subscription_items": items,
            "invoices": invoices, "invoice_lines": lines, "fx_rates": fx}


@pytest.fixture(scope="module", params=["dbt", "reference"])
def marts(request, tmp_path_factory):
    """The five marts from one dbt build, or from the reference."""
    if request.param == "reference":
        return compute(forward_tables(), {"as_of_date": AS_OF})
    work_dir = tmp_path_factory.mktemp("forward_golden")
    built = build_marts(work_dir, forward_tables(), {"as_of_date": AS_OF})
    assert not built["_failed_dbt_tests"], built["_failed_dbt_tests"]
    return read_marts(work_dir / "mrr_test.duckdb", marts=FORWARD_MARTS)


def by(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def pick(row, columns):
    return {c: row[c] for c in columns}


FORWARD = [m(f"2024-{n:02d}") for n in range(7, 13)] + [m(f"2025-{n:02d}") for n in range(1, 7)]


# --------------------------------------------------------------- 9.1 forward book
def test_committed_book_month_by_month(marts):
    rows = by(marts["fct_mrr_committed"], "month")
    assert sorted(rows) == FORWARD
    assert [rows[month]["months_ahead"] for month in FORWARD] == list(range(1, 13))
    closing = [6670, 6600, 6400, 6100, 6100, 1100, 1100, 1100, 1100, 1100, 1100, 1100]
    assert [rows[month]["closing_mrr"] for month in FORWARD] == [D(v) for v in closing]
    # July: the trial of cus_f ends on the 20th (new, 120, all of it trial_mrr) and
    # cus_k comes back (reactivation: it paid in January); June 15's book opens it.
    assert pick(rows[m("2024-07")], (
        "opening_mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
        "net_new_mrr", "opening_customers", "new_customers", "reactivated_customers", "retained_customers",
        "closing_customers", "trial_mrr")) == {
        "opening_mrr": D(6460), "new_mrr": D(120), "reactivation_mrr": D(90), "expansion_mrr": D(0),
        "contraction_mrr": D(0), "churned_mrr": D(0), "net_new_mrr": D(210), "opening_customers": 8,
        "new_customers": 1, "reactivated_customers": 1, "retained_customers": 8, "closing_customers": 10,
        "trial_mrr": D(120)}
    # cancel_at Aug 1 00:00 still counts on Jul 31; cancel_at Dec 31 00:00 no longer on Dec 31.
    assert (rows[m("2024-08")]["churned_mrr"], rows[m("2024-08")]["churned_customers"]) == (D(-70), 1)
    assert rows[m("2024-09")]["contraction_mrr"] == D(-200)  # cus_d 300 -> 100 from Sep 15
    assert rows[m("2024-10")]["contraction_mrr"] == D(-300)  # cus_i 400 -> 100 from Oct 1
    assert (rows[m("2024-12")]["churned_mrr"], rows[m("2024-12")]["closing_customers"]) == (D(-5000), 8)
    assert all(rows[month]["trial_mrr"] == D(120) for month in FORWARD)
    assert rows[m("2024-07")]["arpa"] == D(667)


# ------------------------------------------------------------------ 9.2 forecast
# Trend from March, April, May 2024:
#   g = (300 + 50 + 30) / 3 = 126.666667
#   c = (90/16320 + 150/16530 + 10000/16430) / 3 = 0.20774395 (8 dp)
FORECAST = {  # month: (G, S, gains, losses, F)
    # gains: the scheduled 210 beats the trend's 126.666667; losses: round(c * 6460, 6).
    "2024-07": ("210", "0", "210", "1342.025917", "5327.974083"),
    # cus_j's scheduled 70 is inside the trend's 1106.854382, not added to it.
    "2024-08": ("0", "70", "126.666667", "1106.854382", "4347.786368"),
    "2024-09": ("0", "200", "126.666667", "903.226314", "3571.226721"),
    "2024-10": ("0", "300", "126.666667", "741.900745", "2955.992643"),
    "2024-11": ("0", "0", "126.666667", "614.089588", "2468.569722"),
    # cus_a's scheduled 5000 beats the trend's 512.830425: 2468.569722 + 126.666667 - 5000 < 0, floor 0.
    "2024-12": ("0", "5000", "126.666667", "5000", "0"),
    "2025-01": ("0", "0", "126.666667", "0", "126.666667"),
    "2025-02": ("0", "0", "126.666667", "26.314234", "227.019100"),
    "2025-06": ("0", "0", "126.666667", "87.130900", "458.950630"),
}


def test_forecast_takes_the_larger_of_trend_and_schedule(marts):
    rows = by(marts["fct_mrr_forecast"], "month")
    assert sorted(rows) == FORWARD
    for month, (scheduled_gains, scheduled_losses, gains, losses, forecast) in FORECAST.items():
        row = rows[m(month)]
        assert pick(row, ("scheduled_gains", "scheduled_losses", "forecast_gains", "forecast_losses",
                          "forecast_mrr")) == {
            "scheduled_gains": D(scheduled_gains), "scheduled_losses": D(scheduled_losses),
            "forecast_gains": D(gains), "forecast_losses": D(losses), "forecast_mrr": D(forecast)}, month
    for row in rows.values():
        assert (row["trend_gains"], row["trend_loss_rate"], row["trend_months"]) == (
            D("126.666667"), D("0.20774395"), 3)
    assert rows[m("2024-12")]["committed_mrr"] == D(1100)


# ------------------------------------------------------------------ 9.3 backtest
def test_backtest_horizons(marts):
    rows = by(marts["fct_mrr_forecast_backtest"], "forecast_month", "horizon_months")
    # Complete months: June 2023 to May 2024 (June 2024 is running). M needs three
    # of them ending with it (from August 2023) and M + h <= May 2024:
    # August 9 horizons, September 8, ..., April 1, May none.
    expected_keys = set()
    month = m("2023-08")
    for count in range(9, 0, -1):
        expected_keys.update((month, h) for h in range(1, count + 1))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    assert set(rows) == expected_keys
    # August 2023: g = (5000 + 0 + 0) / 3 = 1666.666667, c = 0 (June's opening is 0,
    # July and August lose nothing): F(h) = 5000 + h * 1666.666667.
    aug1, aug9 = rows[(m("2023-08"), 1)], rows[(m("2023-08"), 9)]
    assert pick(aug1, ("target_month", "forecast_mrr", "actual_mrr", "error")) == {
        "target_month": m("2023-09"), "forecast_mrr": D("6666.666667"), "actual_mrr": D(5000),
        "error": D("1666.666667")}
    assert abs(aug1["abs_pct_error"] - D("0.3333333334")) < D("1e-9")
    assert pick(aug9, ("target_month", "forecast_mrr", "actual_mrr", "error")) == {
        "target_month": m("2024-05"), "forecast_mrr": D("20000.000003"), "actual_mrr": D(6460),
        "error": D("13540.000003")}
    # March 2024: g = (11320 + 0 + 300) / 3 = 3873.333333, c = (0 + 0 + 90/16320) / 3
    # = 0.00183824; F(1) = 16530 + 3873.333333 - round(c * 16530, 6) (30.386107).
    mar1, mar2 = rows[(m("2024-03"), 1)], rows[(m("2024-03"), 2)]
    assert (mar1["target_month"], mar1["forecast_mrr"], mar1["actual_mrr"], mar1["error"]) == (
        m("2024-04"), D("20372.947226"), D(16430), D("3942.947226"))
    # F(2) = 20372.947226 + 3873.333333 - round(c * 20372.947226, 6) (37.450367).
    assert (mar2["target_month"], mar2["forecast_mrr"], mar2["error"]) == (
        m("2024-05"), D("24208.830192"), D("17748.830192"))
    assert abs(mar2["abs_pct_error"] - D("17748.830192") / 6460) < D("1e-9")
    # April 2024: g = 350 / 3 = 116.666667, c = 0.00486304: 16430 + 116.666667 - 79.899747.
    assert rows[(m("2024-04"), 1)]["forecast_mrr"] == D("16466.766920")


# -------------------------------------------------------------------- 9.4 growth
def test_growth(marts):
    rows = by(marts["fct_mrr_growth"], "month")
    assert sorted(rows) == [m(f"2023-{n:02d}") for n in range(6, 13)] + [m(f"2024-{n:02d}") for n in range(1, 7)]
    first, dec, jan, jun = rows[m("2023-06")], rows[m("2023-12")], rows[m("2024-01")], rows[m("2024-06")]
    # Nothing before June 2023 is in the window: every comparison is null.
    assert [first[c] for c in ("mrr_growth_mom", "mrr_growth_yoy", "cmgr_6m", "cmgr_12m", "arpa_growth_yoy")] == [
        None] * 5
    assert dec["mrr_growth_mom"] == 0 and dec["cmgr_6m"] == 0 and dec["mrr_growth_yoy"] is None
    assert rows[m("2023-11")]["cmgr_6m"] is None  # May 2023 is outside the window
    assert abs(float(jan["mrr_growth_mom"]) - 2.264) < 1e-9  # 16320 / 5000 - 1
    assert abs(float(rows[m("2024-05")]["mrr_growth_mom"]) - (6460 / 16430 - 1)) < 1e-9
    assert abs(float(jun["mrr_growth_yoy"]) - 0.292) < 1e-9  # 6460 / 5000 - 1
    assert abs(float(jun["cmgr_6m"]) - ((6460 / 5000) ** (1 / 6) - 1)) < 1e-9  # December 2023: 5000
    assert abs(float(jun["cmgr_12m"]) - ((6460 / 5000) ** (1 / 12) - 1)) < 1e-9
    assert (jun["closing_mrr"], jun["arpa"]) == (D(6460), D("807.5"))  # 8 paying customers
    assert abs(float(jun["arpa_growth_yoy"]) - (807.5 / 5000 - 1)) < 1e-9


# ------------------------------------------------------------------- 9.5 at risk
AT_RISK = {
    # Churns in December: all 5000 at risk.
    "cus_a": dict(segment="enterprise", country_code="DE", current_mrr=D(5000), committed_min_mrr=D(0),
                  scheduled_loss_mrr=D(5000), scheduled_change_month=m("2024-12"), is_scheduled_churn=True,
                  overdue_invoices=0, overdue_amount=D(0), oldest_due_date=None, days_overdue=None,
                  is_delinquent=False, mrr_3_months_ago=D(5000), is_contracting=False, mrr_at_risk=D(5000),
                  risk_reasons="scheduled_churn"),
    # 200 in March, 150 now: contracting, nothing at risk.
    "cus_b": dict(segment="smb", country_code="US", current_mrr=D(150), committed_min_mrr=D(150),
                  scheduled_loss_mrr=D(0), scheduled_change_month=None, is_scheduled_churn=False,
                  overdue_invoices=0, overdue_amount=D(0), oldest_due_date=None, days_overdue=None,
                  is_delinquent=False, mrr_3_months_ago=D(200), is_contracting=True, mrr_at_risk=D(0),
                  risk_reasons="contracting"),
    "cus_d": dict(segment="mid_market", country_code="FR", current_mrr=D(300), committed_min_mrr=D(100),
                  scheduled_loss_mrr=D(200), scheduled_change_month=m("2024-09"), is_scheduled_churn=False,
                  overdue_invoices=0, overdue_amount=D(0), oldest_due_date=None, days_overdue=None,
                  is_delinquent=False, mrr_3_months_ago=D(300), is_contracting=False, mrr_at_risk=D(200),
                  risk_reasons="scheduled_downgrade"),
    # Due May 31: 15 days > 14, delinquent: the whole MRR is at risk.
    "cus_g": dict(segment=None, country_code=None, current_mrr=D(400), committed_min_mrr=D(400),
                  scheduled_loss_mrr=D(0), scheduled_change_month=None, is_scheduled_churn=False,
                  overdue_invoices=1, overdue_amount=D(420), oldest_due_date=date(2024, 5, 31), days_overdue=15,
                  is_delinquent=True, mrr_3_months_ago=D(400), is_contracting=False, mrr_at_risk=D(400),
                  risk_reasons="delinquent"),
    # Due Jun 1 (14 days, not more than 14) and Jun 5 (paid on the 20th): overdue only.
    "cus_h": dict(segment="smb", country_code="GB", current_mrr=D(60), committed_min_mrr=D(60),
                  scheduled_loss_mrr=D(0), scheduled_change_month=None, is_scheduled_churn=False,
                  overdue_invoices=2, overdue_amount=D(115), oldest_due_date=date(2024, 6, 1), days_overdue=14,
                  is_delinquent=False, mrr_3_months_ago=D(60), is_contracting=False, mrr_at_risk=D(0),
                  risk_reasons="overdue"),
    # Three signals, in the spec's order; delinquent puts all 400 at risk, not the 300 loss.
    "cus_i": dict(segment="mid_market", country_code="US", current_mrr=D(400), committed_min_mrr=D(100),
                  scheduled_loss_mrr=D(300), scheduled_change_month=m("2024-10"), is_scheduled_churn=False,
                  overdue_invoices=1, overdue_amount=D(400), oldest_due_date=date(2024, 5, 1), days_overdue=45,
                  is_delinquent=True, mrr_3_months_ago=D(500), is_contracting=True, mrr_at_risk=D(400),
                  risk_reasons="scheduled_downgrade,delinquent,contracting"),
    "cus_j": dict(segment="smb", country_code="US", current_mrr=D(70), committed_min_mrr=D(0),
                  scheduled_loss_mrr=D(70), scheduled_change_month=m("2024-08"), is_scheduled_churn=True,
                  overdue_invoices=1, overdue_amount=D(70), oldest_due_date=date(2024, 6, 10), days_overdue=5,
                  is_delinquent=False, mrr_3_months_ago=D(70), is_contracting=False, mrr_at_risk=D(70),
                  risk_reasons="scheduled_churn,overdue"),
}


@pytest.mark.parametrize("customer", sorted(AT_RISK))
def test_at_risk_customer(marts, customer):
    row = by(marts["fct_mrr_at_risk"], "customer_id")[customer]
    assert pick(row, AT_RISK[customer]) == AT_RISK[customer]


def test_at_risk_rows_are_exactly_the_paying_customers_with_a_signal(marts):
    # cus_e pays with no signal; cus_z (overdue), cus_k and cus_f pay nothing on Jun 15;
    # the test customer never counts.
    assert sorted(r["customer_id"] for r in marts["fct_mrr_at_risk"]) == sorted(AT_RISK)
    assert sum(r["mrr_at_risk"] for r in marts["fct_mrr_at_risk"]) == D(6070)
