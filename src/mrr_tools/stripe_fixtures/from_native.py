"""Native raw tables (the raw contract) -> the same history as Fivetran's Stripe tables.

``convert(tables)`` returns ``(restricted, stripe)``: ``restricted`` is the native
history cut down to what Stripe can express, ``stripe`` the same history as the
Stripe connector would land it. Built through the native path and the Stripe path,
the two must give equal marts. What Stripe cannot express, and what is therefore
restricted here (docs/stripe.md lists the same):

- Versions, copies and blank keys: a Stripe object has one id and Fivetran one row
  per id (only ``subscription_history`` keeps versions, so subscription versions stay).
- Invalid values the contract rejects (unknown intervals or statuses, negative prices,
  quantities or discounts, a valid_to before its valid_from, foreign keys pointing
  nowhere): Stripe never holds them, so such rows are left out.
- Soft deletes of customers, plans and subscriptions: in Stripe these end billing or
  only hide a price, they never erase history (docs/stripe.md); left out here.
- Item versions: a Stripe subscription item holds only its current price and quantity.
  Each native item version is therefore its own Stripe subscription (``<sub>~<item>``)
  ending where the version ends, with the native subscription's dates; MRR is
  unchanged because an item counts from the latest to the earliest of those dates.
- A per-item unit_price becomes a price of its own (a negotiated Stripe price).
- Quarter intervals become 3 months; intervals over a year (Stripe's maximum) go.
- An item with both a percent and an amount discount keeps the percent only.
- Invoice lines: no `setup` type in Stripe (-> one_time), no line discounts or taxes
  in the tables read (-> none), whole quantities, whole amounts in zero-decimal
  currencies; line ids are `<invoice>/<line>`. Usage lines name their price as API
  versions do: in plan_id, or (newer versions) in price_id with plan_id null or empty.
- Segments: Stripe has none.
"""
from __future__ import annotations

from datetime import datetime, timedelta

ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}
INTERVAL_LIMIT = {"day": 365, "week": 52, "month": 12, "year": 1}
INVOICE_STATUSES = {"draft", "open", "paid", "uncollectible", "void"}
LINE_TYPES = {"subscription", "proration", "usage", "one_time", "setup"}


def minor_units_per_major(currency: str) -> int:
    return 1 if currency in ZERO_DECIMAL else 1000 if currency in THREE_DECIMAL else 100


def _key(value):
    if value is None:
        return None
    return str(value).strip() or None


def _code(value, case=str.lower):
    return case(value.strip()) if isinstance(value, str) and value.strip() else None


def _versions(rows, key_column):
    """key -> its rows, latest first (identical copies collapse into one)."""
    out = {}
    for row in rows:
        key = _key(row[key_column])
        if key is None:
            continue
        out.setdefault(key, [])
        if row not in out[key]:
            out[key].append(row)
    for rows_of_key in out.values():
        rows_of_key.sort(key=lambda r: r["updated_at"], reverse=True)
    return out


def _latest(rows, key_column):
    return {key: versions[0] for key, versions in _versions(rows, key_column).items()}


def _earliest(*values):
    present = [v for v in values if v is not None]
    return min(present) if present else None


class _Converter:
    def __init__(self, tables):
        self.tables = tables
        self.native = {name: [] for name in tables}
        self.stripe = {name: [] for name in ("customer", "product", "price", "plan", "subscription_history",
                                             "subscription_item", "discount", "coupon", "invoice",
                                             "invoice_line_item")}
        self.plans = {}  # plan_id -> normalized native plan row

    # ------------------------------------------------------------------ customers
    def customers(self):
        self.customer_ids = set()
        for key, row in _latest(self.tables["customers"], "customer_id").items():
            if row["is_deleted"]:
                continue
            self.customer_ids.add(key)
            country = _code(row["country_code"], str.upper)
            email = _key(row["email"])
            self.native["customers"].append({
                "customer_id": key, "customer_name": row["customer_name"], "email": email,
                "country_code": country, "segment": None, "is_test": bool(row["is_test"]),
                "created_at": row["created_at"], "updated_at": row["updated_at"], "is_deleted": False})
            self.stripe["customer"].append({
                "id": key, "name": row["customer_name"], "email": email, "address_country": country,
                "livemode": not row["is_test"], "created": row["created_at"], "is_deleted": False,
                "_fivetran_synced": row["updated_at"]})

    # ---------------------------------------------------------------------- plans
    def add_plan(self, plan_id, name, charge, interval, count, price, currency, updated_at, *, legacy=False):
        self.plans[plan_id] = {"charge_type": charge, "billing_interval": interval, "currency": currency}
        self.native["plans"].append({
            "plan_id": plan_id, "plan_name": name, "product_name": "product", "charge_type": charge,
            "billing_interval": interval, "billing_interval_count": count, "price": price,
            "currency": currency, "updated_at": updated_at, "is_deleted": False})
        minor = price * minor_units_per_major(currency)
        whole = minor == minor.to_integral_value()
        common = {"id": plan_id, "product_id": "prod_main", "nickname": name, "active": True,
                  "billing_scheme": "per_unit", "currency": currency.lower(), "created": updated_at,
                  "is_deleted": False, "livemode": True, "_fivetran_synced": updated_at}
        usage = "metered" if charge == "usage" else "licensed"
        if legacy and whole:
            self.stripe["plan"].append({**common, "interval": interval, "interval_count": count,
                                        "usage_type": usage, "amount": int(minor)})
        else:
            self.stripe["price"].append({
                **common, "type": "recurring", "recurring_interval": interval,
                "recurring_interval_count": count, "recurring_usage_type": usage,
                "unit_amount": int(minor) if whole else None,
                "unit_amount_decimal": format(minor.normalize(), "f")})

    def plans_(self):
        self.stripe["product"].append({"id": "prod_main", "name": "product", "active": True, "type": "service",
                                       "created": datetime(2020, 1, 1), "is_deleted": False, "livemode": True,
                                       "_fivetran_synced": datetime(2020, 1, 1)})
        for n, (key, row) in enumerate(sorted(_latest(self.tables["plans"], "plan_id").items())):
            charge = _code(row["charge_type"])
            interval = _code(row["billing_interval"])
            count = row["billing_interval_count"] if row["billing_interval_count"] is not None else 1
            currency = _code(row["currency"], str.upper)
            price = row["price"]
            if row["is_deleted"] or charge not in ("recurring", "usage") or count < 1 or currency is None:
                continue
            if interval == "quarter":
                interval, count = "month", 3 * count
            if interval not in INTERVAL_LIMIT or count > INTERVAL_LIMIT[interval]:
                continue
            if price is None:
                # Sold only with a unit_price: each such item gets a price of its own.
                self.plans[key] = {"charge_type": charge, "billing_interval": interval, "currency": currency,
                                   "count": count, "updated_at": row["updated_at"], "template_only": True}
                continue
            if price < 0:
                continue
            self.add_plan(key, row["plan_name"], charge, interval, count, price, currency, row["updated_at"],
                          legacy=n % 3 == 0)
            self.plans[key]["count"] = count
            self.plans[key]["updated_at"] = row["updated_at"]

    # -------------------------------------------------------- subscriptions, items
    def subscriptions_and_items(self):
        subscriptions = {key: versions for key, versions in _versions(self.tables["subscriptions"],
                                                                       "subscription_id").items()
                         if not versions[0]["is_deleted"] and _key(versions[0]["customer_id"]) in self.customer_ids}
        items_by_sub = {}
        for key, item in _latest(self.tables["subscription_items"], "subscription_item_id").items():
            sub_id = _key(item["subscription_id"])
            plan_id = _key(item["plan_id"])
            plan = self.plans.get(plan_id)
            if (item["is_deleted"] or sub_id not in subscriptions or plan is None or item["valid_from"] is None
                    or (item["valid_to"] is not None and item["valid_to"] < item["valid_from"])
                    or (item["quantity"] is not None and item["quantity"] < 0)
                    or (item["unit_price"] is not None and item["unit_price"] < 0)
                    or (item["discount_amount"] is not None and item["discount_amount"] < 0)
                    or (item["discount_percent"] is not None and not 0 <= item["discount_percent"] <= 100)
                    or (plan.get("template_only") and item["unit_price"] is None)):
                continue
            items_by_sub.setdefault(sub_id, []).append((key, item))
        for sub_id, versions in sorted(subscriptions.items()):
            items = sorted(items_by_sub.get(sub_id, []))
            if not items:
                self.add_subscription(sub_id, versions, None)
            for item_id, item in items:
                self.add_subscription(f"{sub_id}~{item_id}", versions, item["valid_to"])
                self.add_item(f"{sub_id}~{item_id}", item_id, item, _key(versions[0]["customer_id"]))

    def add_subscription(self, sub_id, versions, item_valid_to):
        for n, row in enumerate(versions):
            status = _code(row["status"]) or "active"
            if status == "unpaid":
                status = "past_due"  # unpaid ends MRR in Stripe; natively the status is informational
            started = row["started_at"]
            ended = _earliest(row["ended_at"], item_valid_to)
            if started is None:
                status = "incomplete_expired"
            is_latest = n == 0
            self.native["subscriptions"].append({
                "subscription_id": sub_id, "customer_id": _key(row["customer_id"]), "status": status,
                "created_at": row["created_at"], "started_at": started, "trial_end_at": row["trial_end_at"],
                "canceled_at": row["canceled_at"], "cancel_at": row["cancel_at"], "ended_at": ended,
                "updated_at": row["updated_at"], "is_deleted": not is_latest})
            self.stripe["subscription_history"].append({
                "id": sub_id, "_fivetran_start": row["updated_at"],
                "_fivetran_end": versions[n - 1]["updated_at"] - timedelta(milliseconds=1) if n else None,
                "_fivetran_active": is_latest, "customer_id": _key(row["customer_id"]), "status": status,
                "created": row["created_at"], "start_date": started or row["created_at"],
                "trial_end": row["trial_end_at"], "cancel_at": row["cancel_at"], "cancel_at_period_end": False,
                "canceled_at": row["canceled_at"], "ended_at": ended, "livemode": True,
                "_fivetran_synced": row["updated_at"]})

    def add_item(self, sub_id, item_id, item, customer_id):
        plan_id = _key(item["plan_id"])
        plan = self.plans[plan_id]
        if item["unit_price"] is not None:
            custom = f"{plan_id}__{item_id}"
            self.add_plan(custom, f"{plan_id} negotiated", plan["charge_type"], plan["billing_interval"],
                          plan["count"], item["unit_price"], plan["currency"], plan["updated_at"])
            plan_id = custom
        percent, amount = item["discount_percent"], item["discount_amount"]
        if percent is not None:
            amount = None
        currency = plan["currency"]
        if amount is not None and (amount * minor_units_per_major(currency)) % 1:
            amount = None
        self.native["subscription_items"].append({
            "subscription_item_id": item_id, "subscription_id": sub_id, "plan_id": plan_id,
            "quantity": item["quantity"], "unit_price": None, "discount_percent": percent,
            "discount_amount": amount, "valid_from": item["valid_from"], "valid_to": None,
            "updated_at": item["updated_at"], "is_deleted": False})
        self.stripe["subscription_item"].append({
            "id": item_id, "subscription_id": sub_id, "plan_id": plan_id, "quantity": item["quantity"],
            "created": item["valid_from"], "_fivetran_synced": item["updated_at"]})
        if percent is None and amount is None:
            return
        self.stripe["coupon"].append({
            "id": f"co_{item_id}", "percent_off": float(percent) if percent is not None else None,
            "amount_off": int(amount * minor_units_per_major(currency)) if amount is not None else None,
            "currency": currency.lower() if amount is not None else None, "duration": "forever",
            "valid": True, "livemode": True})
        self.stripe["discount"].append({
            "id": f"di_{item_id}", "type": "subscription", "type_id": sub_id, "coupon_id": f"co_{item_id}",
            "customer_id": customer_id, "subscription_id": sub_id, "start": item["valid_from"], "end": None})

    # ------------------------------------------------------------------- invoices
    def invoices(self):
        self.invoice_currency = {}
        for key, row in _latest(self.tables["invoices"], "invoice_id").items():
            status = _code(row["status"])
            currency = _code(row["currency"], str.upper)
            customer = _key(row["customer_id"])
            if (status not in INVOICE_STATUSES or row["issued_at"] is None or customer not in self.customer_ids
                    or currency is None):
                continue
            self.invoice_currency[key] = currency
            self.native["invoices"].append({
                "invoice_id": key, "customer_id": customer, "subscription_id": row["subscription_id"],
                "status": status, "currency": currency, "issued_at": row["issued_at"], "due_at": row["due_at"],
                "paid_at": row["paid_at"], "updated_at": row["updated_at"], "is_deleted": bool(row["is_deleted"])})
            self.stripe["invoice"].append({
                "id": key, "customer_id": customer, "subscription_id": row["subscription_id"], "status": status,
                "currency": currency.lower(), "created": row["issued_at"],
                "status_transitions_finalized_at": None if status == "draft" else row["issued_at"],
                "status_transitions_paid_at": row["paid_at"], "due_date": row["due_at"],
                "is_deleted": bool(row["is_deleted"]), "livemode": True, "_fivetran_synced": row["updated_at"]})

    def lines(self):
        usage_lines = 0
        for key, row in _latest(self.tables["invoice_lines"], "invoice_line_id").items():
            invoice_id = _key(row["invoice_id"])
            line_type = _code(row["line_type"])
            if invoice_id not in self.invoice_currency or line_type not in LINE_TYPES:
                continue
            if row["quantity"] is not None and row["quantity"] < 0:
                continue
            if row["discount_amount"] is not None and row["discount_amount"] < 0:
                continue
            line_type = "one_time" if line_type == "setup" else line_type
            currency = self.invoice_currency[invoice_id]
            scale = minor_units_per_major(currency)
            amount = (row["amount"] * scale).to_integral_value() / scale
            quantity = row["quantity"]
            quantity = int(quantity) if quantity is not None and quantity == int(quantity) else None
            plan_id = "pl_usage" if line_type == "usage" else None
            stripe_plan_id, stripe_price_id = plan_id, None
            if plan_id is not None:
                usage_lines += 1
                stripe_plan_id, stripe_price_id = ((plan_id, None), (None, plan_id), ("", plan_id))[usage_lines % 3]
            self.native["invoice_lines"].append({
                "invoice_line_id": f"{invoice_id}/{key}", "invoice_id": invoice_id,
                "subscription_id": row["subscription_id"], "plan_id": plan_id, "line_type": line_type,
                "description": row["description"], "quantity": quantity, "amount": amount,
                "discount_amount": None, "tax_amount": None, "period_start": row["period_start"],
                "period_end": row["period_end"], "updated_at": row["updated_at"]})
            self.stripe["invoice_line_item"].append({
                "id": key, "invoice_id": invoice_id, "subscription_id": row["subscription_id"],
                "plan_id": stripe_plan_id, "price_id": stripe_price_id,
                "type": "invoiceitem" if line_type == "one_time" else "subscription",
                "proration": line_type == "proration", "amount": int(amount * scale),
                "currency": currency.lower(), "description": row["description"], "quantity": quantity,
                "period_start": row["period_start"], "period_end": row["period_end"], "livemode": True,
                "_fivetran_synced": row["updated_at"]})


def convert(tables: dict) -> tuple[dict, dict]:
    """(native tables restricted to what Stripe can express, the same as Stripe tables)."""
    converter = _Converter(tables)
    converter.customers()
    converter.plans_()
    converter.subscriptions_and_items()
    converter.invoices()
    converter.lines()
    converter.native["fx_rates"] = list(tables["fx_rates"])
    assert "pl_usage" in converter.plans, "usage lines need the metered price pl_usage"
    return converter.native, converter.stripe
