"""fct_mrr_by_plan rounds per customer-plan pair and fct_mrr once per customer, so the
plans of a customer add up to its MRR only within 0.000001 per pair (spec section 8).
The error-severity test assert_mrr_by_plan_adds_up_to_movements must allow that much
and no more, also when every pair rounds to nothing and so has no row of its own."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

EXPORT = datetime(2024, 6, 16, 3, 0)


def tiny_pairs_tables():
    """One customer on three plans, each worth 0.0001 per 20 years (0.000000417 a
    month, which rounds to 0); together 0.00000125 a month, which rounds to 0.000001."""
    customer = {"customer_id": "cus_tiny", "customer_name": "Tiny", "email": None, "country_code": "US",
                "segment": "smb", "is_test": False, "created_at": datetime(2024, 1, 1),
                "updated_at": EXPORT, "is_deleted": False}
    plans = [{"plan_id": f"p_tiny_{n}", "plan_name": f"Tiny {n}", "product_name": "tiny",
              "charge_type": "recurring", "billing_interval": "year", "billing_interval_count": 20,
              "price": D("0.0001"), "currency": "USD", "updated_at": EXPORT, "is_deleted": False}
             for n in (1, 2, 3)]
    subscription = {"subscription_id": "s_tiny", "customer_id": "cus_tiny", "status": "active",
                    "created_at": datetime(2024, 1, 10), "started_at": datetime(2024, 1, 10),
                    "trial_end_at": None, "canceled_at": None, "cancel_at": None, "ended_at": None,
                    "updated_at": EXPORT, "is_deleted": False}
    items = [{"subscription_item_id": f"i_tiny_{n}", "subscription_id": "s_tiny", "plan_id": f"p_tiny_{n}",
              "quantity": 1, "unit_price": None, "discount_percent": None, "discount_amount": None,
              "valid_from": datetime(2024, 1, 10), "valid_to": None, "updated_at": EXPORT, "is_deleted": False}
             for n in (1, 2, 3)]
    return {"customers": [customer], "plans": plans, "subscriptions": [subscription],
            "subscription_items": items, "invoices": [], "invoice_lines": [], "fx_rates": []}


def test_pairs_that_round_to_nothing_stay_within_tolerance(dbt_build):
    marts = dbt_build(tiny_pairs_tables(), {"as_of_date": "2024-03-15"})
    assert {(r["month"].isoformat(), r["mrr"]) for r in marts["fct_mrr"]} == {
        ("2024-01-01", D("0.000001")), ("2024-02-01", D("0.000001")), ("2024-03-01", D("0.000001"))}
    assert marts["fct_mrr_by_plan"] == []
    assert not [t for t in marts["_failed_dbt_tests"] if "assert_mrr_by_plan_adds_up_to_movements" in t], (
        marts["_failed_dbt_tests"])
