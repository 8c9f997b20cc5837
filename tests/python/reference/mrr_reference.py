"""A second, deliberately naive implementation of the MRR rules (docs/ and the marts' docs).

It is written from the spec and docs/decisions.md only, never from the dbt SQL, so
that the two implementations can only agree by both being right. It favours the
obvious loop over anything clever: every rule is applied record by record and
day by day, with exact decimals.

Input: ``raw`` maps each raw table name to a list of dicts (Python values: str,
bool, int, Decimal, datetime, date, None) and ``variables`` holds the dbt vars.
Output: a dict of mart name -> list of dicts (see ``compute``).

Where the spec and decisions.md leave something open the choice is written next to
the code that makes it (search for "Reading:").
"""
from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import NamedTuple

# 50 significant digits: far more than any amount needs, so the only rounding that
# can show is the spec's own 6 dp on a customer's monthly MRR.
_CONTEXT = Context(prec=50, rounding=ROUND_HALF_UP)
_SIX_DP = Decimal("0.000001")

CHARGE_TYPES = ("recurring", "usage")
# Spec section 3's factors as fractions (numerator, denominator): the monthly amount
# divides once, at the end, so an amount whose exact value ends in a 5 at the 7th
# decimal stays exact and rounds as the spec says (52/12 written as 4.333...3 would
# leave it a hair below the half and round it down).
INTERVAL_FACTORS = {
    "day": (365, 12),
    "week": (52, 12),
    "month": (1, 1),
    "quarter": (1, 3),
    "year": (1, 12),
}
INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
REVENUE_STATUSES = ("open", "paid", "uncollectible")
LINE_TYPE_BUCKET = {
    "subscription": "recurring_revenue",
    "proration": "recurring_revenue",
    "usage": "usage_revenue",
    "one_time": "one_time_revenue",
    "setup": "setup_revenue",
}
REVENUE_COLUMNS = ("recurring_revenue", "usage_revenue", "one_time_revenue", "setup_revenue")

KEYS = {
    "customers": "customer_id",
    "plans": "plan_id",
    "subscriptions": "subscription_id",
    "subscription_items": "subscription_item_id",
    "invoices": "invoice_id",
    "invoice_lines": "invoice_line_id",
}

KEPT = "kept"
SUPERSEDED = "superseded version"
DUPLICATE = "duplicate copy"
SOFT_DELETED = "soft deleted"
PARENT_SOFT_DELETED = "parent soft deleted"
TEST_CUSTOMER = "test customer"
REJECTED = "rejected"

DEFAULT_VARS = {
    "reporting_currency": "USD",
    "mrr_include_trials": False,
    "mrr_apply_discounts": True,
}


# --------------------------------------------------------------------------- helpers

def _trim(value):
    """Trimmed text, or None for null/blank (a blank key is as missing as a null one)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _upper(value):
    text = _trim(value)
    return text.upper() if text is not None else None


def _lower(value):
    text = _trim(value)
    return text.lower() if text is not None else None


def _dec(value):
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the reference: pass Decimal")
    return Decimal(value)


def _as_date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    return value


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _months(first: date, last: date):
    month = _month_start(first)
    while month <= last:
        yield month
        month = _next_month(month)


def _movement(before, now, had_mrr_before):
    """Spec section 6: the movement type from one month's value to the next."""
    if before == 0:
        return "reactivation" if had_mrr_before else "new"
    if now == 0:
        return "churn"
    if now > before:
        return "expansion"
    if now < before:
        return "contraction"
    return "retained"


class Span(NamedTuple):
    """One item that can carry MRR: its customer, its days (section 4) and monthly value."""

    customer: str
    start: date
    end: date | None  # exclusive; None = open
    monthly: Decimal  # reporting currency, unrounded
    plan_id: str
    trial_end: date | None  # the subscription's trial_end_at, as a date


def active_spans(spans, day: date):
    """Spec section 4's day rule: the items counting on ``day``."""
    return [s for s in spans if s.start <= day and (s.end is None or day < s.end)]


def customer_mrr_on(spans, day: date) -> dict:
    """Spec section 5: each customer's MRR on ``day``, rounded to 6 dp (customers with items only)."""
    totals = defaultdict(Decimal)
    for span in active_spans(spans, day):
        totals[span.customer] += span.monthly
    return {c: v.quantize(_SIX_DP, rounding=ROUND_HALF_UP) for c, v in totals.items()}


def _ratio(numerator, denominator):
    # Spec section 7: a ratio whose denominator is 0 is null.
    if denominator == 0:
        return None
    return numerator / denominator


def bridge_month(month, previous: dict, current: dict, ever_paid) -> tuple[list, dict]:
    """Spec section 6 for one month: each customer's movement and the month's bridge.

    ``previous`` and ``current`` hold the customers with MRR above 0 the month before
    and this month; ``ever_paid`` those with MRR above 0 in any earlier month.
    """
    totals = {k: Decimal(0) for k in ("new", "expansion", "contraction", "churn", "reactivation")}
    counts = Counter()
    customer_rows = []
    for customer in sorted(set(previous) | set(current)):
        before = previous.get(customer, Decimal(0))
        now = current.get(customer, Decimal(0))
        kind = _movement(before, now, customer in ever_paid)
        amount = now - before
        customer_rows.append({
            "month": month, "customer_id": customer, "mrr": now, "previous_mrr": before,
            "movement_type": kind, "movement_amount": amount,
        })
        counts[kind] += 1
        if kind != "retained":
            totals[kind] += amount
    opening_mrr = sum(previous.values(), Decimal(0))
    closing_mrr = sum(current.values(), Decimal(0))
    net_new = sum(totals.values(), Decimal(0))
    assert opening_mrr + net_new == closing_mrr  # spec section 6, exactly
    return customer_rows, {
        "month": month,
        "opening_mrr": opening_mrr,
        "new_mrr": totals["new"],
        "expansion_mrr": totals["expansion"],
        "contraction_mrr": totals["contraction"],
        "churned_mrr": totals["churn"],
        "reactivation_mrr": totals["reactivation"],
        "net_new_mrr": net_new,
        "closing_mrr": closing_mrr,
        "opening_customers": len(previous),
        "new_customers": counts["new"],
        "expansion_customers": counts["expansion"],
        "contraction_customers": counts["contraction"],
        "churned_customers": counts["churn"],
        "reactivated_customers": counts["reactivation"],
        "retained_customers": counts["retained"],
        "closing_customers": len(current),
        "arpa": _ratio(closing_mrr, len(current)),
    }


# ----------------------------------------------------------------- versions and keys

def _resolve_versions(rows, key_column, table, dispositions):
    """Latest ``updated_at`` per trimmed key wins; return {key: winning row}.

    Rows without a key cannot be versions of anything, so each is its own record
    (returned under a synthetic key so it still reaches the rules).
    Reading: rows equal in key and updated_at are identical copies (spec section 2);
    the first one in input order is kept, which is fine because they are identical.
    """
    by_key = defaultdict(list)
    winners = {}
    for index, row in enumerate(rows):
        key = _trim(row.get(key_column))
        if key is None:
            winners[("__missing_key__", index)] = row
            continue
        by_key[key].append(row)
    for key, versions in by_key.items():
        latest = max(v["updated_at"] for v in versions)
        winner = None
        for version in versions:
            if version["updated_at"] < latest:
                dispositions[table][SUPERSEDED] += 1
            elif winner is None:
                winner = version
            else:
                dispositions[table][DUPLICATE] += 1
        winners[key] = winner
    return winners


# -------------------------------------------------------------------------- compute

class _Status:
    """Disposition of one winning record: kept, excluded (why), or rejected (reason)."""

    __slots__ = ("kind", "reason")

    def __init__(self, kind, reason=None):
        self.kind = kind
        self.reason = reason

    @property
    def gone_by_delete(self):
        return self.kind in (SOFT_DELETED, PARENT_SOFT_DELETED)

    @property
    def gone_by_test(self):
        return self.kind == TEST_CUSTOMER

    @property
    def rejected(self):
        return self.kind == REJECTED

    @property
    def kept(self):
        return self.kind == KEPT


def compute(raw: dict, variables: dict) -> dict:
    """Return every mart the spec defines, as lists of dicts (see module docstring)."""
    with localcontext(_CONTEXT):
        return _compute(raw, {**DEFAULT_VARS, **variables})


def _compute(raw, variables):
    as_of = variables["as_of_date"]
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    as_of = _as_date(as_of)
    reporting = _upper(variables["reporting_currency"])
    include_trials = bool(variables["mrr_include_trials"])
    apply_discounts = bool(variables["mrr_apply_discounts"])

    dispositions = defaultdict(Counter)
    audit = []

    def reject(table, record_id, reason):
        audit.append({"source_table": table, "record_id": record_id, "reason": reason})
        dispositions[table][REJECTED] += 1
        return _Status(REJECTED, reason)

    record_status = {}  # (table, key) -> disposition, for diagnosing a difference

    def settle(table, status, key):
        record_status[(table, key)] = status.kind if status.reason is None else f"{status.kind}: {status.reason}"
        if status.kind != REJECTED:
            dispositions[table][status.kind] += 1
        return status

    # ---------------------------------------------------------------- fx_rates
    # Keyed by (rate_date, from, to); identical copies count once; a key with two
    # different rates is rejected whole (decisions.md), so neither rate is used.
    fx_groups = defaultdict(list)
    for row in raw.get("fx_rates", []):
        rate_date = _as_date(row.get("rate_date"))
        src, dst = _upper(row.get("from_currency")), _upper(row.get("to_currency"))
        rate = _dec(row.get("rate"))
        if rate_date is None or src is None or dst is None:
            # Reading: a row without a full key is its own record, with a null record_id.
            reject("fx_rates", None, "missing key")
            continue
        fx_groups[(rate_date, src, dst)].append(rate)
    direct_rates = defaultdict(dict)  # from_currency -> {date: rate}, only to the reporting currency
    for (rate_date, src, dst), rates in fx_groups.items():
        record_id = f"{src}>{dst}@{rate_date.isoformat()}"
        distinct = []
        for rate in rates:
            if rate in distinct:
                dispositions["fx_rates"][DUPLICATE] += 1
            else:
                distinct.append(rate)
        # decisions.md's order: a key with more than one distinct rate (a missing or
        # non-positive one included) is 'conflicting rates'; a key with one rate that
        # is missing or not positive is 'non-positive rate'.
        if len(distinct) > 1:
            # Reading: "both rejected" makes every row of the key 'rejected', while the
            # audit lists the key once: for fx_rates the record *is* the key
            # (decisions.md: record_id FROM>TO@date, one audit row per rejected record).
            reject("fx_rates", record_id, "conflicting rates")
            dispositions["fx_rates"][REJECTED] += len(distinct) - 1
        elif distinct[0] is None or distinct[0] <= 0:
            reject("fx_rates", record_id, "non-positive rate")
        else:
            dispositions["fx_rates"][KEPT] += 1
            if dst == reporting:
                direct_rates[src][rate_date] = distinct[0]

    def fx_rate(currency, on_day):
        """Latest direct rate to the reporting currency on or before ``on_day``."""
        if currency is not None and currency == reporting:
            return Decimal(1)
        candidates = [d for d in direct_rates.get(currency, {}) if d <= on_day]
        if not candidates:
            return None
        return direct_rates[currency][max(candidates)]

    # --------------------------------------------------------------- customers
    customer_rows = _resolve_versions(raw.get("customers", []), "customer_id", "customers", dispositions)
    customers, customer_status = {}, {}
    for key, row in customer_rows.items():
        record_id = _trim(row.get("customer_id"))
        if row.get("is_deleted"):
            status = _Status(SOFT_DELETED)
        elif row.get("is_test"):
            status = _Status(TEST_CUSTOMER)
        elif record_id is None:
            status = reject("customers", None, "missing key")
        else:
            status = _Status(KEPT)
            customers[record_id] = row
        customer_status[key] = settle("customers", status, key)

    # ------------------------------------------------------------------- plans
    plan_rows = _resolve_versions(raw.get("plans", []), "plan_id", "plans", dispositions)
    plans, plan_status = {}, {}
    for key, row in plan_rows.items():
        record_id = _trim(row.get("plan_id"))
        count = row.get("billing_interval_count")
        price = _dec(row.get("price"))
        if row.get("is_deleted"):
            status = _Status(SOFT_DELETED)
        elif record_id is None:
            status = reject("plans", None, "missing key")
        elif _lower(row.get("charge_type")) not in CHARGE_TYPES:
            status = reject("plans", record_id, "unknown charge_type")
        elif _lower(row.get("billing_interval")) not in INTERVAL_FACTORS:
            status = reject("plans", record_id, "unknown billing_interval")
        elif count is not None and count < 1:
            status = reject("plans", record_id, "billing_interval_count below 1")
        elif price is not None and price < 0:
            status = reject("plans", record_id, "negative price")
        else:
            status = _Status(KEPT)
            plans[record_id] = {
                "charge_type": _lower(row["charge_type"]),
                "billing_interval": _lower(row["billing_interval"]),
                "billing_interval_count": 1 if count is None else count,
                "price": price,
                "currency": _upper(row.get("currency")),
                "plan_name": _trim(row.get("plan_name")),
                "product_name": _trim(row.get("product_name")),
            }
        plan_status[key] = settle("plans", status, key)

    # ----------------------------------------------------------- subscriptions
    sub_rows = _resolve_versions(raw.get("subscriptions", []), "subscription_id", "subscriptions", dispositions)
    subscriptions, sub_status = {}, {}
    for key, row in sub_rows.items():
        record_id = _trim(row.get("subscription_id"))
        parent = customer_status.get(_trim(row.get("customer_id")))
        if row.get("is_deleted"):
            status = _Status(SOFT_DELETED)
        elif parent is not None and parent.gone_by_delete:
            status = _Status(PARENT_SOFT_DELETED)
        elif parent is not None and parent.gone_by_test:
            status = _Status(TEST_CUSTOMER)
        elif record_id is None:
            status = reject("subscriptions", None, "missing key")
        elif parent is None or not parent.kept:
            # Customers are only ever rejected for a missing key, which nothing can
            # point at, so "not kept" here always means "not found".
            status = reject("subscriptions", record_id, "customer not found")
        else:
            status = _Status(KEPT)
            subscriptions[record_id] = {
                "customer_id": _trim(row["customer_id"]),
                "started_at": row.get("started_at"),
                "trial_end_at": row.get("trial_end_at"),
                "cancel_at": row.get("cancel_at"),
                "ended_at": row.get("ended_at"),
            }
        sub_status[key] = settle("subscriptions", status, key)

    # ------------------------------------------------------ subscription_items
    item_rows = _resolve_versions(raw.get("subscription_items", []), "subscription_item_id",
                                  "subscription_items", dispositions)
    items = {}
    for key, row in item_rows.items():
        table = "subscription_items"
        record_id = _trim(row.get("subscription_item_id"))
        sub = sub_status.get(_trim(row.get("subscription_id")))
        plan = plan_status.get(_trim(row.get("plan_id")))
        parents = [p for p in (sub, plan) if p is not None]
        unit_price = _dec(row.get("unit_price"))
        quantity = row.get("quantity")
        discount_amount = _dec(row.get("discount_amount"))
        discount_percent = _dec(row.get("discount_percent"))
        valid_from, valid_to = row.get("valid_from"), row.get("valid_to")
        if row.get("is_deleted"):
            status = _Status(SOFT_DELETED)
        elif any(p.gone_by_delete for p in parents):
            status = _Status(PARENT_SOFT_DELETED)
        elif any(p.gone_by_test for p in parents):
            status = _Status(TEST_CUSTOMER)
        elif record_id is None:
            status = reject(table, None, "missing key")
        elif sub is None:
            status = reject(table, record_id, "subscription not found")
        elif sub.rejected:
            status = reject(table, record_id, "subscription rejected")
        elif plan is None:
            status = reject(table, record_id, "plan not found")
        elif plan.rejected:
            status = reject(table, record_id, "plan rejected")
        elif unit_price is not None and unit_price < 0:
            status = reject(table, record_id, "negative unit_price")
        elif quantity is not None and quantity < 0:
            status = reject(table, record_id, "negative quantity")
        elif discount_amount is not None and discount_amount < 0:
            status = reject(table, record_id, "negative discount_amount")
        elif discount_percent is not None and not (0 <= discount_percent <= 100):
            status = reject(table, record_id, "discount_percent outside 0-100")
        elif valid_from is None:
            status = reject(table, record_id, "missing valid_from")
        elif valid_to is not None and valid_to < valid_from:
            status = reject(table, record_id, "valid_to before valid_from")
        elif (unit_price is None and plans[_trim(row["plan_id"])]["price"] is None
              and plans[_trim(row["plan_id"])]["charge_type"] == "recurring"):
            status = reject(table, record_id, "missing price")
        elif fx_rate(plans[_trim(row["plan_id"])]["currency"], _as_date(valid_from)) is None:
            # Checked whatever the charge type, so validity never depends on the month.
            status = reject(table, record_id, "no fx rate")
        else:
            status = _Status(KEPT)
            items[record_id] = {
                "subscription_id": _trim(row["subscription_id"]),
                "plan_id": _trim(row["plan_id"]),
                "quantity": quantity,
                "unit_price": unit_price,
                "discount_percent": discount_percent,
                "discount_amount": discount_amount,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        settle(table, status, key)

    # ---------------------------------------------------------------- invoices
    invoice_rows = _resolve_versions(raw.get("invoices", []), "invoice_id", "invoices", dispositions)
    invoices, invoice_status = {}, {}
    for key, row in invoice_rows.items():
        table = "invoices"
        record_id = _trim(row.get("invoice_id"))
        parent = customer_status.get(_trim(row.get("customer_id")))
        state = _lower(row.get("status"))
        currency = _upper(row.get("currency"))
        issued_at = row.get("issued_at")
        if row.get("is_deleted"):
            status = _Status(SOFT_DELETED)
        elif parent is not None and parent.gone_by_delete:
            status = _Status(PARENT_SOFT_DELETED)
        elif parent is not None and parent.gone_by_test:
            status = _Status(TEST_CUSTOMER)
        elif record_id is None:
            status = reject(table, None, "missing key")
        elif parent is None or not parent.kept:
            status = reject(table, record_id, "customer not found")
        elif state not in INVOICE_STATUSES:
            status = reject(table, record_id, "unknown status")
        elif issued_at is None:
            status = reject(table, record_id, "missing issued_at")
        elif fx_rate(currency, _as_date(issued_at)) is None:
            status = reject(table, record_id, "no fx rate")
        else:
            status = _Status(KEPT)
            invoices[record_id] = {"status": state, "currency": currency, "issued_at": issued_at,
                                   "customer_id": _trim(row["customer_id"]), "due_at": row.get("due_at"),
                                   "paid_at": row.get("paid_at")}
        invoice_status[key] = settle(table, status, key)

    # ----------------------------------------------------------- invoice_lines
    line_rows = _resolve_versions(raw.get("invoice_lines", []), "invoice_line_id", "invoice_lines", dispositions)
    lines = []
    for key, row in line_rows.items():
        table = "invoice_lines"
        record_id = _trim(row.get("invoice_line_id"))
        parent = invoice_status.get(_trim(row.get("invoice_id")))
        line_type = _lower(row.get("line_type"))
        quantity = _dec(row.get("quantity"))
        discount_amount = _dec(row.get("discount_amount"))
        if parent is not None and parent.gone_by_delete:
            status = _Status(PARENT_SOFT_DELETED)
        elif parent is not None and parent.gone_by_test:
            status = _Status(TEST_CUSTOMER)
        elif record_id is None:
            status = reject(table, None, "missing key")
        elif parent is None:
            status = reject(table, record_id, "invoice not found")
        elif parent.rejected:
            status = reject(table, record_id, "invoice rejected")
        elif line_type not in LINE_TYPE_BUCKET:
            status = reject(table, record_id, "unknown line_type")
        elif _dec(row.get("amount")) is None:
            status = reject(table, record_id, "missing amount")
        elif quantity is not None and quantity < 0:
            status = reject(table, record_id, "negative quantity")
        elif discount_amount is not None and discount_amount < 0:
            status = reject(table, record_id, "negative discount_amount")
        else:
            status = _Status(KEPT)
            lines.append({
                "invoice_id": _trim(row["invoice_id"]),
                "line_type": line_type,
                "amount": _dec(row.get("amount")),
                "discount_amount": discount_amount,
            })
        settle(table, status, key)

    # ------------------------------------------------------ item monthly values
    # One entry per item that can ever carry MRR: (customer, first day, end day or
    # None, monthly amount in the reporting currency).
    spans = []
    for item in items.values():
        plan = plans[item["plan_id"]]
        sub = subscriptions[item["subscription_id"]]
        if plan["charge_type"] == "usage" or sub["started_at"] is None:
            continue
        price = item["unit_price"] if item["unit_price"] is not None else plan["price"]
        if price is None:
            # A usage item (skipped above) is the only kept item without a price:
            # a recurring one is rejected as "missing price".
            continue
        quantity = Decimal(1 if item["quantity"] is None else item["quantity"])
        percent = item["discount_percent"] or Decimal(0)
        off = item["discount_amount"] or Decimal(0)
        if not apply_discounts:
            percent, off = Decimal(0), Decimal(0)
        period_amount = max(price * quantity * (1 - percent / 100) - off, Decimal(0))
        numerator, denominator = INTERVAL_FACTORS[plan["billing_interval"]]
        monthly = (period_amount * fx_rate(plan["currency"], _as_date(item["valid_from"])) * numerator
                   / (denominator * plan["billing_interval_count"]))

        starts = [item["valid_from"], sub["started_at"]]
        if not include_trials:
            starts.append(sub["trial_end_at"])
        ends = [item["valid_to"], sub["ended_at"], sub["cancel_at"]]
        start = max(s for s in starts if s is not None)
        present_ends = [e for e in ends if e is not None]
        end = min(present_ends) if present_ends else None
        spans.append(Span(sub["customer_id"], _as_date(start), _as_date(end), monthly, item["plan_id"],
                          _as_date(sub["trial_end_at"])))

    # --------------------------------------------------------- MRR per snapshot
    first_candidate = min((span.start for span in spans), default=None)
    mrr_by_month = {}  # month -> {customer: rounded MRR}, for every month checked
    plan_mrr_by_month = {}  # month -> {(customer, plan): MRR rounded per pair} (spec section 8)
    if first_candidate is not None and _month_start(first_candidate) <= _month_start(as_of):
        for month in _months(first_candidate, as_of):
            snapshot = as_of if month == _month_start(as_of) else _month_end(month)
            totals = defaultdict(Decimal)
            plan_totals = defaultdict(Decimal)
            for span in active_spans(spans, snapshot):
                totals[span.customer] += span.monthly
                plan_totals[(span.customer, span.plan_id)] += span.monthly
            mrr_by_month[month] = {
                c: v.quantize(_SIX_DP, rounding=ROUND_HALF_UP) for c, v in totals.items()
            }
            plan_mrr_by_month[month] = {
                pair: v.quantize(_SIX_DP, rounding=ROUND_HALF_UP) for pair, v in plan_totals.items()
            }
    mrr_months = [m for m, values in mrr_by_month.items() if any(v > 0 for v in values.values())]
    window = list(_months(min(mrr_months), as_of)) if mrr_months else []

    # ---------------------------------------------------------------- movements
    fct_mrr, fct_movements, fct_churn = [], [], []
    ever_paid = set()
    previous = {}
    for month in window:
        current = {c: v for c, v in mrr_by_month.get(month, {}).items() if v > 0}
        customer_rows, row = bridge_month(month, previous, current, ever_paid)
        fct_mrr.extend(customer_rows)
        opening_mrr = row["opening_mrr"]
        fct_movements.append(row)
        losses = row["churned_mrr"] + row["contraction_mrr"]
        fct_churn.append({
            "month": month,
            "logo_churn_rate": _ratio(Decimal(row["churned_customers"]), row["opening_customers"]),
            "gross_mrr_churn_rate": _ratio(-losses, opening_mrr),
            "net_mrr_churn_rate": _ratio(-(losses + row["expansion_mrr"]), opening_mrr),
            "net_revenue_retention": _ratio(opening_mrr + row["expansion_mrr"] + losses, opening_mrr),
            "gross_revenue_retention": _ratio(opening_mrr + losses, opening_mrr),
            "quick_ratio": _ratio(row["new_mrr"] + row["expansion_mrr"] + row["reactivation_mrr"], -losses),
            "arpa": row["arpa"],
        })
        ever_paid.update(current)
        previous = current

    # ------------------------------------------------------------- by plan
    # Spec section 8: section 6 applied to each (customer, plan) series on its own.
    fct_mrr_by_plan = []
    ever_on_plan = set()
    previous_pairs = {}
    for month in window:
        current_pairs = {p: v for p, v in plan_mrr_by_month.get(month, {}).items() if v > 0}
        for pair in sorted(set(previous_pairs) | set(current_pairs)):
            before = previous_pairs.get(pair, Decimal(0))
            now = current_pairs.get(pair, Decimal(0))
            kind = _movement(before, now, pair in ever_on_plan)
            customer, plan_id = pair
            fct_mrr_by_plan.append({
                "month": month, "customer_id": customer, "plan_id": plan_id,
                "plan_name": plans[plan_id]["plan_name"], "product_name": plans[plan_id]["product_name"],
                "segment": _lower(customers[customer].get("segment")) or None,
                "country_code": _upper(customers[customer].get("country_code")) or None,
                "mrr": now, "previous_mrr": before, "movement_type": kind, "movement_amount": now - before,
            })
        ever_on_plan.update(current_pairs)
        previous_pairs = current_pairs

    # ------------------------------------------------------------- cohorts
    # Spec section 8: a customer's cohort is the month of its first MRR above 0.
    cohort_of, starting = {}, {}
    for row in fct_mrr:
        if row["movement_type"] == "new":
            cohort_of[row["customer_id"]] = row["month"]
            starting[row["customer_id"]] = row["mrr"]
    paying = defaultdict(dict)  # month -> {customer: MRR above 0}
    for row in fct_mrr:
        if row["mrr"] > 0:
            paying[row["month"]][row["customer_id"]] = row["mrr"]
    fct_cohort_retention = []
    for cohort in sorted(set(cohort_of.values())):
        members = [c for c, m in cohort_of.items() if m == cohort]
        start_mrr = sum((starting[c] for c in members), Decimal(0))
        for offset, month in enumerate(_months(cohort, as_of)):
            now = {c: paying[month][c] for c in members if c in paying[month]}
            month_mrr = sum(now.values(), Decimal(0))
            capped = sum((min(v, starting[c]) for c, v in now.items()), Decimal(0))
            fct_cohort_retention.append({
                "cohort_month": cohort, "month": month, "months_since_start": offset,
                "cohort_customers": len(members), "cohort_starting_mrr": start_mrr,
                "active_customers": len(now), "mrr": month_mrr,
                "logo_retention": _ratio(Decimal(len(now)), len(members)),
                "net_mrr_retention": _ratio(month_mrr, start_mrr),
                "gross_mrr_retention": _ratio(capped, start_mrr),
            })

    # ------------------------------------------------------------------ revenue
    revenue_by_month = defaultdict(lambda: {c: Decimal(0) for c in REVENUE_COLUMNS})
    for line in lines:
        invoice = invoices.get(line["invoice_id"])
        issued = _as_date(invoice["issued_at"])
        if invoice["status"] not in REVENUE_STATUSES or issued > as_of:
            continue
        bucket = revenue_by_month[_month_start(issued)]
        if line["amount"] is None:
            continue  # Reading: nothing to add (never generated).
        value = line["amount"] - (line["discount_amount"] or Decimal(0))
        bucket[LINE_TYPE_BUCKET[line["line_type"]]] += value * fx_rate(invoice["currency"], issued)
    revenue_starts = [m for m in (window[:1] + sorted(revenue_by_month)[:1])]
    fct_revenue = []
    if revenue_starts:
        for month in _months(min(revenue_starts), as_of):
            values = revenue_by_month.get(month, {c: Decimal(0) for c in REVENUE_COLUMNS})
            fct_revenue.append({
                "month": month, **values,
                "total_revenue": sum(values.values(), Decimal(0)),
            })

    # ------------------------------------------------------------ dim_customers
    dim_customers = []
    as_of_month = _month_start(as_of)
    for customer in sorted(customers):
        paid_months = [r["month"] for r in fct_mrr if r["customer_id"] == customer and r["mrr"] > 0]
        current_mrr = next((r["mrr"] for r in fct_mrr
                            if r["customer_id"] == customer and r["month"] == as_of_month), Decimal(0))
        dim_customers.append({
            "customer_id": customer,
            "first_mrr_month": min(paid_months, default=None),
            "last_mrr_month": max(paid_months, default=None),
            "current_mrr": current_mrr,
        })

    marts = {
        "fct_mrr": fct_mrr,
        "fct_mrr_movements": fct_movements,
        "fct_churn": fct_churn,
        "fct_revenue": fct_revenue,
        "audit_rejected_records": audit,
        "dim_customers": dim_customers,
        "fct_mrr_by_plan": fct_mrr_by_plan,
        "fct_cohort_retention": fct_cohort_retention,
        # Not a mart: how every raw row was disposed of, per table (decisions.md).
        "dispositions": {table: dict(counter) for table, counter in dispositions.items()},
        "record_status": record_status,
    }
    # Section 9 reads the same items on other snapshot days. Imported here: forward.py
    # imports this module's helpers.
    from reference import forward

    marts.update(forward.compute_forward(forward.Book(
        as_of=as_of, variables=variables, spans=spans, mrr_by_month=mrr_by_month, window=window,
        movements=fct_movements, ever_paid=frozenset(ever_paid), customers=customers, invoices=invoices,
        lines=lines, fx_rate=fx_rate)))
    return marts
