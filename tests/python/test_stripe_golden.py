"""Stripe golden cases: each rule of the Stripe mapping on a customer of its own.

The data is written the way Stripe and Fivetran's connector write it (amounts in the
currency's minor unit, lowercase currencies, subscription_history versions), and
every expected figure is worked out by hand from Stripe's documentation, in the
comment beside it, never computed by the mapping. One build (var billing_source:
stripe) serves every test. as_of_date is 2024-06-15: June's snapshot day is the
15th, every other month's its last day. Reporting currency USD.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import duckdb
import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.random_histories import TABLE_COLUMNS
from mrr_tools.stripe_fixtures.fivetran_tables import STRIPE_SCHEMA, write_stripe_tables

AS_OF = "2024-06-15"
SYNCED = datetime(2024, 6, 16, 3, 0)
MONTHS = [date(2024, m, 1) for m in range(1, 7)]


def ts(text):
    return datetime.fromisoformat(text) if text else None


def month(m):
    return date(2024, m, 1)


# ----------------------------------------------------------------------- the data
def price(price_id, amount, currency="usd", interval="month", count=1, usage="licensed", decimal=None):
    return {"id": price_id, "product_id": "prod_app", "nickname": price_id, "type": "recurring", "active": True,
            "billing_scheme": "per_unit", "recurring_interval": interval, "recurring_interval_count": count,
            "recurring_usage_type": usage, "unit_amount": amount, "unit_amount_decimal": decimal,
            "currency": currency, "created": ts("2023-01-01"), "is_deleted": False, "livemode": True,
            "_fivetran_synced": SYNCED}


PRICES = [
    price("price_usd_25", 2500),                        # $25.00: 2500 cents
    price("price_jpy_5000", 5000, "jpy"),               # ¥5000: JPY is zero-decimal
    price("price_kwd_12", 12000, "kwd"),                # 12.000 KWD: three-decimal
    price("price_semi_1200", 120000, count=6),          # $1200 every 6 months
    price("price_week2_60", 6000, interval="week", count=2),  # $60 every 2 weeks
    price("price_usd_100", 10000),
    price("price_usd_50", 5000),
    price("price_usd_40", 4000),
    price("price_usd_30", 3000),
    price("price_usd_60", 6000),
    price("price_usd_200", 20000),
    price("price_usd_90", 9000),
    price("price_usd_70", 7000),
    price("price_usd_20", 2000),
    price("price_usd_500", 50000),
    price("price_eur_100", 10000, "eur"),
    price("price_gbp_100", 10000, "gbp"),               # £100.00
    price("price_gbp_50", 5000, "gbp"),
    price("price_metered", 5, usage="metered"),        # 5 cents per unit of usage
    price("price_dup", 1000),                           # also in the legacy plan table, at 9999
    price("price_sub_cent", None, decimal="1250.5"),    # 1250.5 cents = $12.505
    {**price("price_tiered", None), "billing_scheme": "tiered"},  # amounts in tiers, not read
    {**price("price_one_time", 99900), "type": "one_time", "recurring_interval": None,
     "recurring_interval_count": None, "recurring_usage_type": None},
]
LEGACY_PLANS = [
    {"id": "plan_legacy_45", "product_id": "prod_app", "nickname": "legacy", "active": True, "interval": "month",
     "interval_count": 1, "usage_type": "licensed", "billing_scheme": "per_unit", "amount": 4500,
     "currency": "usd", "created": ts("2020-01-01"), "is_deleted": True, "livemode": True,
     "_fivetran_synced": SYNCED},
    {"id": "price_dup", "product_id": "prod_app", "nickname": "dup", "active": True, "interval": "month",
     "interval_count": 1, "usage_type": "licensed", "billing_scheme": "per_unit", "amount": 9999,
     "currency": "usd", "created": ts("2020-01-01"), "is_deleted": False, "livemode": True,
     "_fivetran_synced": SYNCED},
]

# customer -> (subscription versions, items, discounts); customer extras beside.
# A version: (fivetran_start, status, {columns}); the last one listed is the active one.
# An item: (price, quantity, created). A discount: (coupon, start, end), on the
# subscription, or on the customer when a fourth element says "customer".
STORIES = {
    "cus_usd": ([("2024-01-10", "active", {"start_date": "2024-01-10"})],
                [("price_usd_25", 3, "2024-01-10")], []),
    "cus_jpy": ([("2024-02-01", "active", {"start_date": "2024-02-01"})],
                [("price_jpy_5000", 1, "2024-02-01")], []),
    "cus_kwd": ([("2024-03-01", "active", {"start_date": "2024-03-01"})],
                [("price_kwd_12", 1, "2024-03-01")], []),
    "cus_semiannual": ([("2024-01-05", "active", {"start_date": "2024-01-05"})],
                       [("price_semi_1200", 1, "2024-01-05")], []),
    "cus_biweekly": ([("2024-01-05", "active", {"start_date": "2024-01-05"})],
                     [("price_week2_60", 1, "2024-01-05")], []),
    "cus_trial": ([("2024-02-15", "trialing", {"start_date": "2024-02-15", "trial_end": "2024-03-15"}),
                   ("2024-03-15", "active", {"start_date": "2024-02-15", "trial_end": "2024-03-15"})],
                  [("price_usd_100", 1, "2024-02-15")], []),
    "cus_still_trialing": ([("2024-06-01", "trialing", {"start_date": "2024-06-01", "trial_end": "2024-07-01"})],
                           [("price_usd_100", 1, "2024-06-01")], []),
    "cus_canceled": ([("2024-01-01", "active", {"start_date": "2024-01-01"}),
                      ("2024-04-02", "active", {"start_date": "2024-01-01", "canceled_at": "2024-04-02",
                                                "cancel_at": "2024-05-20"}),
                      ("2024-05-20", "canceled", {"start_date": "2024-01-01", "canceled_at": "2024-04-02",
                                                  "cancel_at": "2024-05-20", "ended_at": "2024-05-20"})],
                     [("price_usd_50", 1, "2024-01-01")], []),
    "cus_period_end": ([("2024-03-10", "active", {"start_date": "2024-03-10", "cancel_at_period_end": True,
                                                  "current_period_end": "2024-06-10"})],
                       [("price_usd_40", 1, "2024-03-10")], []),
    "cus_incomplete": ([("2024-02-01", "incomplete_expired", {"start_date": "2024-02-01"})],
                       [("price_usd_100", 1, "2024-02-01")], []),
    "cus_past_due": ([("2024-04-01", "active", {"start_date": "2024-04-01"}),
                      ("2024-05-02", "past_due", {"start_date": "2024-04-01"})],
                     [("price_usd_30", 1, "2024-04-01")], []),
    "cus_unpaid": ([("2024-01-01", "active", {"start_date": "2024-01-01"}),
                    ("2024-03-03", "past_due", {"start_date": "2024-01-01"}),
                    ("2024-04-10", "unpaid", {"start_date": "2024-01-01"}),
                    ("2024-05-01", "unpaid", {"start_date": "2024-01-01", "current_period_end": "2024-06-01"})],
                   [("price_usd_60", 1, "2024-01-01")], []),
    "cus_paused": ([("2024-02-01", "trialing", {"start_date": "2024-02-01", "trial_end": "2024-03-01"}),
                    ("2024-03-01", "paused", {"start_date": "2024-02-01", "trial_end": "2024-03-01"})],
                   [("price_usd_100", 1, "2024-02-01")], []),
    "cus_forever": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                    [("price_usd_200", 1, "2024-01-01")], [("co_25pct_forever", "2024-01-01", None)]),
    "cus_repeating": ([("2024-01-15", "active", {"start_date": "2024-01-15"})],
                      [("price_usd_100", 1, "2024-01-15")], [("co_20usd_3m", "2024-01-15", "2024-04-15")]),
    "cus_repeating_no_end": ([("2024-02-10", "active", {"start_date": "2024-02-10"})],
                             [("price_usd_100", 1, "2024-02-10")], [("co_50pct_2m", "2024-02-10", None)]),
    "cus_once": ([("2024-03-05", "active", {"start_date": "2024-03-05"})],
                 [("price_usd_90", 1, "2024-03-05")], [("co_100pct_once", "2024-03-05", None)]),
    "cus_coupon_other_currency": ([("2024-05-01", "active", {"start_date": "2024-05-01"})],
                                  [("price_eur_100", 1, "2024-05-01")], [("co_10usd_forever", "2024-05-01", None)]),
    "cus_two_items": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                      [("price_usd_50", 1, "2024-01-01"), ("price_usd_30", 2, "2024-02-01")],
                      [("co_10usd_forever", "2024-01-01", None)]),
    "cus_metered": ([("2024-06-01", "active", {"start_date": "2024-06-01"})],
                    [("price_usd_20", 1, "2024-06-01"), ("price_metered", None, "2024-06-01")], []),
    "cus_deleted": ([("2024-01-01", "active", {"start_date": "2024-01-01"}),
                     ("2024-04-10", "canceled", {"start_date": "2024-01-01", "canceled_at": "2024-04-10",
                                                 "ended_at": "2024-04-10"})],
                    [("price_usd_70", 1, "2024-01-01")], []),
    "cus_testmode": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                     [("price_usd_500", 1, "2024-01-01")], []),
    "cus_legacy": ([("2024-04-01", "active", {"start_date": "2024-04-01"})],
                   [("plan_legacy_45", 1, "2024-04-01")], []),
    "cus_dup": ([("2024-06-01", "active", {"start_date": "2024-06-01"})],
                [("price_dup", 1, "2024-06-01")], []),
    "cus_sub_cent": ([("2024-06-01", "active", {"start_date": "2024-06-01"})],
                     [("price_sub_cent", 2, "2024-06-01")], []),
    "cus_customer_coupon": ([("2024-02-01", "active", {"start_date": "2024-02-01"})],
                            [("price_usd_100", 1, "2024-02-01")],
                            [("co_10pct_forever", "2024-01-01", None, "customer")]),
    "cus_both_coupons": ([("2024-03-01", "active", {"start_date": "2024-03-01"})],
                         [("price_usd_100", 1, "2024-03-01")],
                         [("co_10pct_forever", "2024-01-01", None, "customer"),
                          ("co_50pct_forever", "2024-03-01", None)]),
    "cus_tiered": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                   [("price_tiered", 10, "2024-01-01")], []),
    # Coupon layerings in GBP, whose rate moves (FX below): the subscription's own
    # coupon takes precedence, so a customer coupon starting or ending under it
    # changes nothing and must not re-lock the rate.
    "cus_gbp_pct_under_pct": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                              [("price_gbp_100", 1, "2024-01-01")],
                              [("co_25pct_forever", "2024-01-01", None),
                               ("co_10pct_forever", "2024-03-10", None, "customer")]),
    "cus_gbp_pct_ends_under_amount": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                                      [("price_gbp_100", 1, "2024-01-01")],
                                      [("co_20gbp_forever", "2024-01-01", None),
                                       ("co_10pct_forever", "2023-12-01", "2024-04-20", "customer")]),
    "cus_gbp_amount_under_pct": ([("2024-02-01", "active", {"start_date": "2024-02-01"})],
                                 [("price_gbp_100", 1, "2024-02-01")],
                                 [("co_50pct_forever", "2024-02-01", None),
                                  ("co_10gbp_forever", "2024-03-05", "2024-05-05", "customer")]),
    "cus_gbp_amount_under_amount": ([("2024-01-15", "active", {"start_date": "2024-01-15"})],
                                    [("price_gbp_50", 2, "2024-01-15")],
                                    [("co_15gbp_forever", "2024-01-15", None),
                                     ("co_5gbp_forever", "2024-02-10", "2024-04-10", "customer")]),
    # Where the subscription's coupon ends the customer's takes over: the terms do change.
    "cus_gbp_customer_takes_over": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                                    [("price_gbp_100", 1, "2024-01-01")],
                                    [("co_50pct_2m", "2024-01-01", "2024-03-01"),
                                     ("co_10pct_forever", "2023-12-01", None, "customer")]),
    # A customer coupon that starts during the (unpaid) trial applies from the first paid day.
    "cus_gbp_coupon_in_trial": ([("2024-01-01", "trialing", {"start_date": "2024-01-01", "trial_end": "2024-02-01"}),
                                 ("2024-02-01", "active", {"start_date": "2024-01-01", "trial_end": "2024-02-01"})],
                                [("price_gbp_100", 1, "2024-01-01")],
                                [("co_10pct_forever", "2024-01-20", None, "customer")]),
    # A three-decimal coupon: 1500 thousandths = 1.500 KWD off.
    "cus_kwd_coupon": ([("2024-03-01", "active", {"start_date": "2024-03-01"})],
                       [("price_kwd_12", 1, "2024-03-01")], [("co_1500kwd_forever", "2024-03-01", None)]),
    # An amount off larger than the oldest licensed item (the metered one is older by id).
    "cus_amount_three_items": ([("2024-01-01", "active", {"start_date": "2024-01-01"})],
                               [("price_metered", None, "2024-01-01"), ("price_usd_30", 1, "2024-01-01"),
                                ("price_usd_20", 1, "2024-01-01")],
                               [("co_40usd_forever", "2024-01-01", None)]),
    # Two percent coupons on one subscription at once.
    "cus_two_percent": ([("2024-02-01", "active", {"start_date": "2024-02-01"})],
                        [("price_usd_100", 1, "2024-02-01")],
                        [("co_10pct_forever", "2024-02-01", None), ("co_25pct_forever", "2024-02-01", None)]),
    "cus_invoices": ([], [], []),
}
CUSTOMER_EXTRAS = {"cus_deleted": {"is_deleted": True}, "cus_testmode": {"livemode": False}}

COUPONS = [
    {"id": "co_25pct_forever", "percent_off": 25.0, "duration": "forever"},
    {"id": "co_20usd_3m", "amount_off": 2000, "currency": "usd", "duration": "repeating", "duration_in_months": 3},
    {"id": "co_50pct_2m", "percent_off": 50.0, "duration": "repeating", "duration_in_months": 2},
    {"id": "co_100pct_once", "percent_off": 100.0, "duration": "once"},
    {"id": "co_10usd_forever", "amount_off": 1000, "currency": "usd", "duration": "forever"},
    {"id": "co_10pct_forever", "percent_off": 10.0, "duration": "forever"},
    {"id": "co_50pct_forever", "percent_off": 50.0, "duration": "forever"},
    {"id": "co_20gbp_forever", "amount_off": 2000, "currency": "gbp", "duration": "forever"},
    {"id": "co_15gbp_forever", "amount_off": 1500, "currency": "gbp", "duration": "forever"},
    {"id": "co_10gbp_forever", "amount_off": 1000, "currency": "gbp", "duration": "forever"},
    {"id": "co_5gbp_forever", "amount_off": 500, "currency": "gbp", "duration": "forever"},
    {"id": "co_1500kwd_forever", "amount_off": 1500, "currency": "kwd", "duration": "forever"},
    {"id": "co_40usd_forever", "amount_off": 4000, "currency": "usd", "duration": "forever"},
]

# invoice id, status, currency, created, finalized, is_deleted,
# [(line type, proration, plan_id, amount[, price_id])]: newer API versions fill
# price_id and may leave plan_id empty.
INVOICES = [
    ("in_paid", "paid", "usd", "2024-05-10", "2024-05-10", False,
     [("subscription", False, "price_usd_100", 10000), ("subscription", True, "price_usd_100", -2500),
      ("invoiceitem", False, None, 5000)]),
    ("in_open", "open", "usd", "2024-04-28", "2024-05-20", False, [("subscription", False, "price_usd_30", 3000)]),
    ("in_uncollectible", "uncollectible", "usd", "2024-05-25", "2024-05-25", False,
     [("subscription", False, "price_usd_30", 1000)]),
    ("in_void", "void", "usd", "2024-05-26", "2024-05-26", False, [("subscription", False, None, 9999)]),
    ("in_draft", "draft", "usd", "2024-05-27", None, False, [("subscription", False, None, 8888)]),
    ("in_deleted", "draft", "usd", "2024-05-28", None, True, [("subscription", False, None, 7777)]),
    ("in_jpy", "paid", "jpy", "2024-05-12", "2024-05-12", False, [("subscription", False, "price_jpy_5000", 10000)]),
    ("in_usage", "paid", "usd", "2024-05-15", "2024-05-15", False,
     [("subscription", False, "price_metered", 1234), ("subscription", False, None, 500, "price_metered"),
      ("subscription", False, "", 266, "price_metered")]),
    ("in_kwd", "paid", "kwd", "2024-04-10", "2024-04-10", False, [("subscription", False, "price_kwd_12", 12000)]),
]

FX = [("2023-12-01", "JPY", "USD", "0.0070"), ("2023-12-01", "EUR", "USD", "1.10"),
      ("2023-12-01", "KWD", "USD", "3.25"),
      # GBP moves twice a month in January, then monthly: a re-locked rate shows.
      ("2023-12-01", "GBP", "USD", "1.25"), ("2024-01-01", "GBP", "USD", "1.26"), ("2024-01-16", "GBP", "USD", "1.27"),
      ("2024-02-01", "GBP", "USD", "1.28"), ("2024-03-01", "GBP", "USD", "1.29"), ("2024-04-01", "GBP", "USD", "1.30"),
      ("2024-05-01", "GBP", "USD", "1.31"), ("2024-06-01", "GBP", "USD", "1.32")]


def stripe_tables():
    tables = {name: [] for name in ("customer", "product", "price", "plan", "subscription_history",
                                    "subscription_item", "discount", "coupon", "invoice", "invoice_line_item")}
    tables["product"].append({"id": "prod_app", "name": "App", "active": True, "created": ts("2023-01-01"),
                              "is_deleted": False, "livemode": True, "_fivetran_synced": SYNCED})
    tables["price"] = PRICES
    tables["plan"] = LEGACY_PLANS
    tables["coupon"] = [{"valid": True, "livemode": True, "created": ts("2023-01-01"), "_fivetran_synced": SYNCED,
                         **c} for c in COUPONS]
    for customer, (versions, items, discounts) in STORIES.items():
        tables["customer"].append({"id": customer, "name": customer, "email": f"{customer}@example.com",
                                   "address_country": "US", "livemode": True, "created": ts("2023-12-01"),
                                   "is_deleted": False, "_fivetran_synced": SYNCED,
                                   **CUSTOMER_EXTRAS.get(customer, {})})
        sub = f"sub_{customer[4:]}"
        for n, (start, status, columns) in enumerate(versions):
            last = n == len(versions) - 1
            tables["subscription_history"].append({
                "id": sub, "customer_id": customer, "status": status, "created": ts(versions[0][0]),
                "_fivetran_start": ts(start), "_fivetran_end": None if last else ts(versions[n + 1][0]),
                "_fivetran_active": last, "livemode": True, "cancel_at_period_end": False,
                "_fivetran_synced": SYNCED, **{k: ts(v) if isinstance(v, str) else v for k, v in columns.items()}})
        for n, (price_id, quantity, created) in enumerate(items):
            tables["subscription_item"].append({"id": f"si_{customer[4:]}_{n}", "subscription_id": sub,
                                                "plan_id": price_id, "quantity": quantity, "created": ts(created),
                                                "_fivetran_synced": SYNCED})
        for n, (coupon, start, end, *on) in enumerate(discounts):
            on_customer = on == ["customer"]
            tables["discount"].append({"id": f"di_{customer[4:]}_{n}",
                                       "type": "customer" if on_customer else "subscription",
                                       "type_id": customer if on_customer else sub, "coupon_id": coupon,
                                       "customer_id": customer, "subscription_id": None if on_customer else sub,
                                       "start": ts(start), "end": ts(end), "_fivetran_synced": SYNCED})
    for invoice_id, status, currency, created, finalized, deleted, lines in INVOICES:
        tables["invoice"].append({"id": invoice_id, "customer_id": "cus_invoices", "status": status,
                                  "currency": currency, "created": ts(created),
                                  "status_transitions_finalized_at": ts(finalized), "is_deleted": deleted,
                                  "livemode": True, "_fivetran_synced": SYNCED})
        for n, (line_type, proration, plan_id, amount, *price_id) in enumerate(lines):
            tables["invoice_line_item"].append({"id": f"il_{n}", "invoice_id": invoice_id, "type": line_type,
                                                "proration": proration, "plan_id": plan_id,
                                                "price_id": price_id[0] if price_id else None, "amount": amount,
                                                "currency": currency, "quantity": 1, "livemode": True,
                                                "_fivetran_synced": SYNCED})
    return tables


STRIPE_VARS = {"billing_source": "stripe", "stripe_schema": STRIPE_SCHEMA, "billing_schema": RAW_SCHEMA}
# The toggles on the Stripe path, all three in one build of the same data.
TOGGLES = {"mrr_include_trials": True, "mrr_apply_discounts": False, "stripe_drop_deleted_customers": True}
READ = ("fct_mrr", "fct_revenue", "dim_customers", "audit_rejected_records", "stg_stripe__subscription_items",
        "stg_stripe__invoice_lines",
        "fct_monthly_metrics", "fct_monthly_metrics_closed", "audit_restatements")


def _build_golden(work, variables):
    db_path = work / "mrr_test.duckdb"
    write_raw_tables(db_path, {"fx_rates": [
        {"rate_date": date.fromisoformat(d), "from_currency": f, "to_currency": t, "rate": D(r)} for d, f, t, r in FX]})
    write_stripe_tables(db_path, stripe_tables())
    run_dbt_build(db_path, work, {"as_of_date": AS_OF, **STRIPE_VARS, **variables}, data_tests=False)
    return db_path, read_marts(db_path, READ)


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("stripe_golden")
    db_path, marts = _build_golden(work, {})
    con = duckdb.connect(str(db_path))
    try:
        marts["_columns"] = con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'main' and table_name like 'stg_stripe__%' order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    return work, db_path, marts


@pytest.fixture(scope="module")
def marts(golden_build):
    return golden_build[2]


@pytest.fixture(scope="module")
def toggled_marts(tmp_path_factory):
    return _build_golden(tmp_path_factory.mktemp("stripe_golden_toggles"), TOGGLES)[1]


def mrr_story(marts, customer):
    return {r["month"]: (r["mrr"], r["movement_type"], r["movement_amount"])
            for r in marts["fct_mrr"] if r["customer_id"] == customer}


def flat(first, last, mrr, first_kind="new"):
    """Month first..last with the same MRR: `new` (or the given kind) then retained."""
    out = {month(first): (D(mrr), first_kind, D(0) if first_kind == "retained" else D(mrr))}
    out.update({month(m): (D(mrr), "retained", D(0)) for m in range(first + 1, last + 1)})
    return out


EXPECTED = {
    # 3 seats x 2500 cents = $75.00 a month from January 10.
    "cus_usd": flat(1, 6, "75"),
    # ¥5000 (zero-decimal: 5000 is five thousand yen) x 0.0070 = $35.00.
    "cus_jpy": flat(2, 6, "35"),
    # 12000 thousandths = 12.000 KWD x 3.25 = $39.00.
    "cus_kwd": flat(3, 6, "39"),
    # $1200 every 6 months = $200 a month.
    "cus_semiannual": flat(1, 6, "200"),
    # $60 every 2 weeks = 60 x 52 / 12 / 2 = $130 a month.
    "cus_biweekly": flat(1, 6, "130"),
    # Trial Feb 15 - Mar 15 counts nothing (trials off); $100 from March.
    "cus_trial": flat(3, 6, "100"),
    # Trial ends July 1, after as_of: no MRR yet.
    "cus_still_trialing": {},
    # canceled_at (Apr 2) is only the request; it ended May 20: churn in May.
    "cus_canceled": {**flat(1, 4, "50"), month(5): (D(0), "churn", D(-50))},
    # cancel_at_period_end with the period ending June 10: gone on June's snapshot (15th).
    "cus_period_end": {**flat(3, 5, "40"), month(6): (D(0), "churn", D(-40))},
    # incomplete_expired: the first payment never succeeded, never started.
    "cus_incomplete": {},
    # past_due still counts: Stripe is retrying the payment.
    "cus_past_due": flat(4, 6, "30"),
    # Unpaid since April 10 (past_due before): stops counting on April 10.
    "cus_unpaid": {**flat(1, 3, "60"), month(4): (D(0), "churn", D(-60))},
    # Paused when its trial ended without a payment method: never paid, never MRR.
    "cus_paused": {},
    # 25 % off forever: $200 x 0.75 = $150 every month.
    "cus_forever": flat(1, 6, "150"),
    # $20 off for 3 months (Jan 15 - Apr 15): $80, then $100 from April's snapshot.
    "cus_repeating": {**flat(1, 3, "80"), month(4): (D(100), "expansion", D(20)), **flat(5, 6, "100", "retained")},
    # 50 % off for 2 months from Feb 10, no end given: ends Apr 10. $50, then $100.
    "cus_repeating_no_end": {**flat(2, 3, "50"), month(4): (D(100), "expansion", D(50)),
                             **flat(5, 6, "100", "retained")},
    # 100 % off once: the first monthly period (Mar 5 - Apr 5) is free; $90 from April.
    "cus_once": flat(4, 6, "90"),
    # A USD amount off does not apply to a EUR price: 100 EUR x 1.10 = $110.
    "cus_coupon_other_currency": flat(5, 6, "110"),
    # $10 off once a period, on the oldest item: Jan 50 - 10 = 40; Feb adds 2 x 30 = 60.
    "cus_two_items": {**flat(1, 1, "40"), month(2): (D(100), "expansion", D(60)), **flat(3, 6, "100", "retained")},
    # The metered price is usage, never MRR: only the $20 licensed item counts.
    "cus_metered": flat(6, 6, "20"),
    # Deleted in Stripe (subscription canceled Apr 10): its history stays, churn in April.
    "cus_deleted": {**flat(1, 3, "70"), month(4): (D(0), "churn", D(-70))},
    # A test-mode customer (livemode false) is a test account: never counted.
    "cus_testmode": {},
    # A legacy plan (not in the price table), deleted: it keeps billing its subscription.
    "cus_legacy": flat(4, 6, "45"),
    # An id in both price and plan: the price's 1000 cents, not the plan's 9999.
    "cus_dup": flat(6, 6, "10"),
    # 1250.5 cents (unit_amount_decimal) x 2 = $25.01.
    "cus_sub_cent": flat(6, 6, "25.01"),
    # A customer's coupon applies to its subscriptions: $100 x 0.9 = $90 from February.
    "cus_customer_coupon": flat(2, 6, "90"),
    # The subscription's own 50 % coupon takes precedence over the customer's 10 %: $50.
    "cus_both_coupons": flat(3, 6, "50"),
    # GBP rates: 1.26 from Jan 1, 1.27 from Jan 16, 1.28 Feb, 1.29 Mar, 1.30 Apr, 1.31 May.
    # An item's rate is locked at its start; a customer coupon under the subscription's
    # own changes nothing, so it keeps that rate (re-locked, each would show a movement).
    # £100 x (1 - 25 %) = £75 x 1.26 = $94.50 (a re-lock on Mar 10 would give 96.75).
    "cus_gbp_pct_under_pct": flat(1, 6, "94.5"),
    # £100 - £20 = £80 x 1.26 = $100.80 (the customer's 10 % ending Apr 20 changes nothing).
    "cus_gbp_pct_ends_under_amount": flat(1, 6, "100.8"),
    # From Feb 1: £100 x 50 % = £50 x 1.28 = $64 (the customer's £10 off, Mar 5 - May 5, never applies).
    "cus_gbp_amount_under_pct": flat(2, 6, "64"),
    # 2 x £50 - £15 = £85 x 1.26 (Jan 15 takes Jan 1's rate) = $107.10.
    "cus_gbp_amount_under_amount": flat(1, 6, "107.1"),
    # Jan-Feb £50 x 1.26 = $63; the subscription's coupon ends Mar 1 and the customer's
    # 10 % takes over: a new version, at Mar 1's rate: £90 x 1.29 = $116.10.
    "cus_gbp_customer_takes_over": {**flat(1, 2, "63"), month(3): (D("116.1"), "expansion", D("53.1")),
                                    **flat(4, 6, "116.1", "retained")},
    # Trial Jan 1 - Feb 1 (not counted); the customer's 10 % began Jan 20, in the trial:
    # no cut before the first paid day, the rate stays Jan 1's: £90 x 1.26 = $113.40.
    "cus_gbp_coupon_in_trial": flat(2, 6, "113.4"),
    # 12.000 KWD - 1.500 KWD (1500 thousandths) = 10.500 x 3.25 = $34.125.
    "cus_kwd_coupon": flat(3, 6, "34.125"),
    # $40 off goes to the oldest licensed item ($30, ids break the tie; the metered one
    # never takes it) and floors at 0 there; the $20 item keeps its price: $20.
    "cus_amount_three_items": flat(1, 6, "20"),
    # Two percent coupons on one subscription: the larger, 25 %: $100 x 0.75 = $75.
    "cus_two_percent": flat(2, 6, "75"),
    # A tiered price has no unit amount: rejected (see test_only_the_tiered_price_is_rejected), no MRR.
    "cus_tiered": {},
}


@pytest.mark.parametrize("customer", sorted(EXPECTED))
def test_mrr_story(marts, customer):
    assert mrr_story(marts, customer) == EXPECTED[customer]


def test_revenue_by_invoice_status_and_line_type(marts):
    by_month = {r["month"]: r for r in marts["fct_revenue"]}
    assert sorted(by_month) == MONTHS
    may = by_month[month(5)]
    # Paid $100 subscription - $25 proration + $50 invoice item; open $30 (finalized
    # May 20, created April 28); uncollectible $10; ¥10000 x 0.0070 = $70; metered
    # 1234 + 500 + 266 cents = $20.00, the last two lines found by price_id (plan_id
    # null or empty). Void, draft and deleted draft invoices are left out.
    assert (may["recurring_revenue"], may["usage_revenue"], may["one_time_revenue"], may["setup_revenue"],
            may["total_revenue"]) == (D("185"), D("20"), D("50"), D("0"), D("255"))
    # April: 12000 thousandths of a dinar = 12.000 KWD x 3.25 = $39.
    april = by_month[month(4)]
    assert (april["recurring_revenue"], april["total_revenue"]) == (D("39"), D("39"))
    assert all(by_month[m]["total_revenue"] == 0 for m in MONTHS if m not in (month(4), month(5)))


def test_deleted_and_test_mode_customers(marts):
    customers = {r["customer_id"] for r in marts["dim_customers"]}
    assert "cus_deleted" in customers
    assert "cus_testmode" not in customers


def test_only_the_tiered_price_is_rejected(marts):
    # Every other row maps to a valid raw row (the one-time price is left out of
    # plans, not rejected); the tiered price and its item are rejected, loudly.
    rejected = sorted((r["source_table"], r["record_id"], r["reason"]) for r in marts["audit_rejected_records"])
    assert rejected == [("plans", "price_tiered", "unknown charge_type"),
                        ("subscription_items", "si_tiered_0", "plan rejected")]


@pytest.mark.parametrize("table", sorted(TABLE_COLUMNS))
def test_stripe_model_has_the_raw_tables_columns_and_types(marts, table):
    got = [(column, data_type) for name, column, data_type in marts["_columns"] if name == f"stg_stripe__{table}"]
    family = {"varchar": "VARCHAR", "timestamp": "TIMESTAMP", "boolean": "BOOLEAN", "integer": "INTEGER",
              "date": "DATE", "decimal": "DECIMAL"}
    expected = [(column, family[sql_type.split("(")[0]]) for column, sql_type in TABLE_COLUMNS[table].items()]
    assert [(column, data_type.split("(")[0]) for column, data_type in got] == expected


def test_cuts_only_where_the_applied_discount_changes(marts):
    # One version per item whose applied discount never changes while it is paid for;
    # two where the customer's coupon takes over from the subscription's.
    versions = {}
    for row in marts["stg_stripe__subscription_items"]:
        versions.setdefault(row["subscription_item_id"].split("@")[0], []).append(
            (row["valid_from"], row["valid_to"], row["discount_percent"], row["discount_amount"]))
    for customer in ("gbp_pct_under_pct", "gbp_pct_ends_under_amount", "gbp_amount_under_pct",
                     "gbp_amount_under_amount", "gbp_coupon_in_trial", "forever", "both_coupons"):
        assert len(versions[f"si_{customer}_0"]) == 1, (customer, versions[f"si_{customer}_0"])
    assert sorted(versions["si_gbp_customer_takes_over_0"]) == [
        (ts("2024-01-01"), ts("2024-03-01"), D(50), None), (ts("2024-03-01"), None, D(10), None)]
    assert versions["si_gbp_coupon_in_trial_0"] == [(ts("2024-01-01"), None, D(10), None)]


def test_invoice_lines_take_the_price_when_plan_id_is_empty(marts):
    lines = [r for r in marts["stg_stripe__invoice_lines"] if r["invoice_id"] == "in_usage"]
    assert sorted((r["invoice_line_id"], r["plan_id"], r["line_type"]) for r in lines) == [
        ("in_usage/il_0", "price_metered", "usage"), ("in_usage/il_1", "price_metered", "usage"),
        ("in_usage/il_2", "price_metered", "usage")]


# With trials counted, discounts ignored and deleted customers dropped (one build).
EXPECTED_TOGGLES = {
    # Trial from Feb 15 counts at list value: $100 from February.
    "cus_trial": flat(2, 6, "100"),
    # Trialing from June 1: $100 in June.
    "cus_still_trialing": flat(6, 6, "100"),
    # Trialing Feb 1, paused Mar 1: $100 in February, churn in March.
    "cus_paused": {month(2): (D(100), "new", D(100)), month(3): (D(0), "churn", D(-100))},
    # Discounts ignored: list prices.
    "cus_forever": flat(1, 6, "200"),
    "cus_repeating": flat(1, 6, "100"),
    "cus_once": flat(3, 6, "90"),
    "cus_two_items": {**flat(1, 1, "50"), month(2): (D(110), "expansion", D(60)), **flat(3, 6, "110", "retained")},
    "cus_amount_three_items": flat(1, 6, "50"),
    "cus_kwd_coupon": flat(3, 6, "39"),
    # No discount, so no cut: one version at Jan 1's rate, £100 x 1.26 = $126, trial included.
    "cus_gbp_customer_takes_over": flat(1, 6, "126"),
    "cus_gbp_coupon_in_trial": flat(1, 6, "126"),
    # Deleted in Stripe and dropped: gone from every month.
    "cus_deleted": {},
    "cus_usd": flat(1, 6, "75"),
}


@pytest.mark.parametrize("customer", sorted(EXPECTED_TOGGLES))
def test_mrr_story_with_the_toggles(toggled_marts, customer):
    assert mrr_story(toggled_marts, customer) == EXPECTED_TOGGLES[customer]


def test_toggles_drop_the_deleted_customer_and_every_discount_cut(toggled_marts):
    assert "cus_deleted" not in {r["customer_id"] for r in toggled_marts["dim_customers"]}
    items = toggled_marts["stg_stripe__subscription_items"]
    assert not [r for r in items if "@" in r["subscription_item_id"]]
    assert not [r for r in items if r["discount_percent"] is not None or r["discount_amount"] is not None]


# --------------------------------------------------- a hard delete between two nights
@pytest.fixture(scope="module")
def after_item_deleted(golden_build):
    """The next night: Fivetran has hard-deleted cus_usd's only item (3 x $25 = $75 a
    month since January); January to May closed five days after their last day."""
    work, db_path, night1 = golden_build
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"delete from {STRIPE_SCHEMA}.subscription_item where id = 'si_usd_0'")
    finally:
        con.close()
    run_dbt_build(db_path, work, {"as_of_date": "2024-06-16", **STRIPE_VARS}, data_tests=False)
    return night1, read_marts(db_path, READ)


def test_hard_deleted_item_restates_closed_months(after_item_deleted):
    night1, night2 = after_item_deleted
    closed = {(r["month"], r["metric"]): r["published_value"] for r in night1["fct_monthly_metrics_closed"]}
    assert {m for m, _ in closed} == {month(m) for m in range(1, 6)}
    # Published figures stay as published.
    assert {(r["month"], r["metric"]): r["published_value"] for r in night2["fct_monthly_metrics_closed"]} == closed
    # The live marts lose the item in every month: its history is gone.
    assert mrr_story(night2, "cus_usd") == {}
    assert night1["audit_restatements"] == []
    restated = {(r["month"], r["metric"]): r for r in night2["audit_restatements"]}
    live = {(r["month"], r["metric"]): r["metric_value"] for r in night2["fct_monthly_metrics"]}
    # Each closed month shows the $75 gone as a restatement, and nothing else moved
    # but the figures that follow from that MRR.
    assert {m: restated[(month(m), "closing_mrr")]["difference"] for m in range(1, 6)} == {
        m: D(-75) for m in range(1, 6)}
    assert restated[(month(1), "new_mrr")]["difference"] == D(-75)
    assert restated[(month(1), "new_customers")]["difference"] == D(-1)
    for key, row in restated.items():
        assert row["published_value"] == closed[key] and row["current_value"] == live[key], key
        assert row["source_model"] != "fct_revenue", key
    unchanged = [key for key in closed if key not in restated]
    assert all(closed[key] == live[key] for key in unchanged)
