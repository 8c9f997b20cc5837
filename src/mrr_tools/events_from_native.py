"""Native raw tables -> the same history as subscription events (billing_source: events).

``convert(tables, as_of, seed)`` returns ``(cut, events)``: ``cut`` is the native
history cut down to what events can express, ``events`` the rows of
``subscription_events`` telling the same history. Built through the native path and
the events path, the two must give equal MRR marts. The input is a clean history
(``mrr_tools.stripe_fixtures.from_native.convert``'s first result: one version per
record, nothing invalid, one subscription per item version). What is cut, and why
(docs/events.md lists the same):

- Test customers, usage plans, subscriptions that never start: nothing to tell.
- Each item that counts on at least one day is clipped to the days it counts (the
  latest of its valid_from, the start and the trial's end; the earliest of its
  valid_to, the end and the scheduled end), so its rate locks on the day the
  events' version starts; trials are therefore left out.
- Items whose monthly amount has more than 6 decimals: an event carries a value, and
  an event value of 88.888889 is not 800/9.
- Items in a currency without a rate to USD on or before their first day: the
  native path rejects the whole item, while events would reject only the events
  before the first rate and open the subscription at the first renewal after it.
- Invoices: events carry none.
- Customers without any item left, and customer names and emails.

The events: a start where the item starts to count and a renewal every billing
period (month, quarter and year plans pay for their own period; others say a month)
while it runs, then a cancellation where it stops, recorded a few days ahead. Dirt
on top, none of which may change a mart: some events delivered twice under one id,
event names in any case, page views, rejected events on subscriptions of their own,
late recording (occurred_at after effective_at) and shuffled rows.
"""
from __future__ import annotations

import calendar
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

FACTORS = {"day": (Decimal(365), Decimal(12)), "week": (Decimal(52), Decimal(12)), "month": (Decimal(1), Decimal(1)),
           "quarter": (Decimal(1), Decimal(3)), "year": (Decimal(1), Decimal(12))}
MONTHS_OF = {"month": 1, "quarter": 3, "year": 12}
SIX_DP = Decimal("0.000001")


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months: the same day, or the month's last day where it has none."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _latest(rows, key):
    out = {}
    for row in rows:
        if row[key] not in out or row["updated_at"] > out[row[key]]["updated_at"]:
            out[row[key]] = row
    return out


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def _first_rate_days(fx_rows, reporting="USD") -> dict:
    """{currency: the first day it has a valid direct rate to ``reporting``}
    (a parseable, positive rate whose key has no conflicting row)."""
    by_key = {}
    for row in fx_rows:
        try:
            day = date.fromisoformat(str(row["rate_date"]).strip()[:10])
            rate = Decimal(str(row["rate"]).strip())
        except (ValueError, ArithmeticError):
            continue
        source, target = (str(row[c] or "").strip().upper() for c in ("from_currency", "to_currency"))
        by_key.setdefault((day, source, target), set()).add(rate)
    first = {reporting: date.min}
    for (day, source, target), rates in by_key.items():
        if target == reporting and len(rates) == 1 and min(rates) > 0 and day < first.get(source, date.max):
            first[source] = day
    return first


def convert(tables: dict, as_of: date, seed: int) -> tuple[dict, list]:
    rng = random.Random(seed)
    first_rate_day = _first_rate_days(tables["fx_rates"])
    customers = {k: c for k, c in _latest(tables["customers"], "customer_id").items() if not c["is_test"]}
    plans = {k: p for k, p in _latest(tables["plans"], "plan_id").items() if p["charge_type"] == "recurring"}
    subs = _latest(tables["subscriptions"], "subscription_id")
    cut = {"customers": [], "plans": list(plans.values()), "subscriptions": [], "subscription_items": [],
           "invoices": [], "invoice_lines": [], "fx_rates": list(tables["fx_rates"])}
    events, kept_customers = [], set()
    for item in sorted(_latest(tables["subscription_items"], "subscription_item_id").values(),
                       key=lambda i: i["subscription_item_id"]):
        plan, sub = plans.get(item["plan_id"]), subs.get(item["subscription_id"])
        if plan is None or sub is None or sub["customer_id"] not in customers or sub["started_at"] is None:
            continue
        price = item["unit_price"] if item["unit_price"] is not None else plan["price"]
        if price is None:
            continue
        quantity = Decimal(1 if item["quantity"] is None else item["quantity"])
        period = max(Decimal(price) * quantity * (1 - Decimal(item["discount_percent"] or 0) / 100)
                     - Decimal(item["discount_amount"] or 0), Decimal(0))
        numerator, denominator = FACTORS[plan["billing_interval"]]
        monthly = period * numerator / (denominator * (plan["billing_interval_count"] or 1))
        if monthly != monthly.quantize(SIX_DP):
            continue
        start = max(s for s in (item["valid_from"], sub["started_at"], sub["trial_end_at"]) if s is not None)
        ends = [e for e in (item["valid_to"], sub["ended_at"], sub["cancel_at"]) if e is not None]
        end = min(ends) if ends else None
        if end is not None and _day(end) <= _day(start):
            continue
        if first_rate_day.get(plan["currency"], date.max) > _day(item["valid_from"]):
            continue
        kept_customers.add(sub["customer_id"])
        cut["subscription_items"].append({**item, "valid_from": start, "valid_to": end})
        cut["subscriptions"].append({**sub, "trial_end_at": None})
        events.extend(_events_of(item, sub, plan, customers[sub["customer_id"]], monthly.quantize(SIX_DP),
                                 start, end, as_of, rng))
    cut["customers"] = [{**c, "customer_name": None, "email": None} for k, c in customers.items()
                        if k in kept_customers]
    # One subscription row per id (several items may share one after the cut).
    cut["subscriptions"] = list({s["subscription_id"]: s for s in cut["subscriptions"]}.values())
    events.extend(_noise(rng))
    rng.shuffle(events)
    return cut, events


def _events_of(item, sub, plan, customer, monthly, start, end, as_of, rng):
    interval = plan["billing_interval"] if plan["billing_interval"] in MONTHS_OF else "month"
    count = (plan["billing_interval_count"] or 1) if interval == plan["billing_interval"] else 1
    step = MONTHS_OF[interval] * count
    subscription_id = f"{sub['subscription_id']}~{item['subscription_item_id']}"
    common = {"customer_id": customer["customer_id"], "subscription_id": subscription_id,
              "plan_id": plan["plan_id"], "plan_name": plan["plan_name"], "product_name": plan["product_name"],
              "country_code": customer["country_code"], "segment": customer["segment"],
              "monthly_recurring_value": monthly, "currency": plan["currency"], "billing_interval": interval,
              "billing_interval_count": count, "is_trial": None}
    out = []
    k = 0
    while True:
        at = add_months(start, step * k)
        # A start ahead of as_of is told too: events are read whatever their dates.
        if k > 0 and ((end is not None and at >= end) or (end is None and _day(at) > as_of)):
            break
        name = "subscription_started" if k == 0 else rng.choice(["subscription_renewed", "Subscription_Renewed"])
        late = timedelta(days=rng.choice([0, 0, 0, 3, 40]))
        out.append({**common, "event_id": f"{subscription_id}#{k}", "event_name": name,
                    "occurred_at": at + late, "effective_at": at})
        if rng.random() < 0.1:
            out.append(dict(out[-1]))  # delivered twice
        k += 1
    if end is not None:
        out.append({**common, "event_id": f"{subscription_id}#end", "event_name": "subscription_cancelled",
                    "occurred_at": end - timedelta(days=rng.choice([0, 5])), "effective_at": end,
                    "monthly_recurring_value": None, "currency": None})
    return out


def _noise(rng):
    """Events that must change no mart: page views, and rejected events on
    subscriptions of their own."""
    at = datetime(2024, 1, 3, 12, 0)
    base = {"plan_id": None, "plan_name": None, "product_name": None, "country_code": None, "segment": None,
            "billing_interval": None, "billing_interval_count": None, "is_trial": None, "effective_at": None}
    return [
        {**base, "event_id": f"noise{n}", "event_name": "page_view", "occurred_at": at, "customer_id": None,
         "subscription_id": None, "monthly_recurring_value": None, "currency": None} for n in range(5)
    ] + [
        {**base, "event_id": "noise_no_customer", "event_name": "subscription_started", "occurred_at": at,
         "customer_id": None, "subscription_id": "zz_1", "monthly_recurring_value": Decimal(10), "currency": "USD"},
        {**base, "event_id": "noise_negative", "event_name": "subscription_started", "occurred_at": at,
         "customer_id": "zz", "subscription_id": "zz_2", "monthly_recurring_value": Decimal(-1), "currency": "USD"},
        {**base, "event_id": "noise_no_rate", "event_name": "subscription_started", "occurred_at": at,
         "customer_id": "zz", "subscription_id": "zz_3", "monthly_recurring_value": Decimal(5), "currency": "XYZ"},
    ]
