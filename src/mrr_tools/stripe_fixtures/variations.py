"""Variations of a converted history for the comparison of the Stripe and native paths.

- ``in_foreign_currencies(tables)``: the native history with every USD price and
  invoice moved to another currency, so that every item converts at a rate locked
  at its start (spec section 3) and a re-locked rate shows in the marts.
- ``with_customer_coupons_under_own(restricted, stripe, seed)``: for every third
  customer with items, each of its Stripe subscriptions gets a coupon of its own
  (and its native item the same percent), then the customer gets coupons of its
  own, starting and ending anywhere in the history, percent and amount off in the
  currency of its prices. A subscription's coupon takes precedence, so the
  customer coupons must change no mart: the native build, which never sees them,
  stays the reference.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from mrr_tools.stripe_fixtures.from_native import minor_units_per_major

FOREIGN = ("EUR", "GBP", "CAD", "JPY")
OWN_PERCENT = Decimal(15)


def in_foreign_currencies(tables: dict) -> dict:
    out = {name: [dict(row) for row in rows] for name, rows in tables.items()}
    for row in out["plans"]:
        if isinstance(row["currency"], str) and row["currency"].strip().upper() == "USD":
            row["currency"] = FOREIGN[sum(map(ord, str(row["plan_id"]))) % len(FOREIGN)]
    for row in out["invoices"]:
        if isinstance(row["currency"], str) and row["currency"].strip().upper() == "USD":
            row["currency"] = "EUR"
    return out


def with_customer_coupons_under_own(restricted: dict, stripe: dict, seed: int) -> list:
    """Adds the coupons in place; returns the customers that got customer coupons."""
    rng = random.Random(seed)
    customer_of = {row["id"]: row["customer_id"] for row in stripe["subscription_history"]}
    items_of = {}
    for item in stripe["subscription_item"]:
        items_of.setdefault(customer_of[item["subscription_id"]], []).append(item)
    plans = {row["plan_id"]: row for row in restricted["plans"]}
    discounted = {row["subscription_id"] for row in stripe["discount"]}
    native_items = {row["subscription_item_id"]: row for row in restricted["subscription_items"]}
    chosen = sorted(items_of)[::3]
    starts = sorted(item["created"] for items in items_of.values() for item in items)
    first, last = starts[0], starts[-1] + timedelta(days=400)
    for customer in chosen:
        for item in items_of[customer]:
            if item["subscription_id"] in discounted:
                continue
            discounted.add(item["subscription_id"])
            native_items[item["id"]]["discount_percent"] = OWN_PERCENT
            stripe["coupon"].append({"id": f"co_own_{item['id']}", "percent_off": float(OWN_PERCENT),
                                     "duration": "forever", "valid": True, "livemode": True})
            stripe["discount"].append({
                "id": f"di_own_{item['id']}", "type": "subscription", "type_id": item["subscription_id"],
                "coupon_id": f"co_own_{item['id']}", "customer_id": customer,
                "subscription_id": item["subscription_id"], "start": item["created"], "end": None})
        currency = plans[items_of[customer][0]["plan_id"]]["currency"]
        for n in range(rng.randint(1, 2)):
            start = first + timedelta(days=rng.randint(0, (last - first).days), hours=rng.randint(0, 23))
            end = rng.choice([None, start + timedelta(days=rng.randint(1, 400))])
            coupon = f"co_customer_{customer}_{n}"
            if rng.random() < 0.5:
                stripe["coupon"].append({"id": coupon, "percent_off": float(rng.choice([5, 10, 30])),
                                         "duration": "repeating" if end else "forever", "valid": True,
                                         "livemode": True})
            else:
                stripe["coupon"].append({"id": coupon, "amount_off": 3 * minor_units_per_major(currency),
                                         "currency": currency.lower(), "duration": "repeating" if end else "forever",
                                         "valid": True, "livemode": True})
            stripe["discount"].append({
                "id": f"di_customer_{customer}_{n}", "type": "customer", "type_id": customer,
                "coupon_id": coupon, "customer_id": customer, "subscription_id": None, "start": start, "end": end})
    return chosen
