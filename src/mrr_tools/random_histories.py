"""Seeded random raw billing exports, dirty in every way the spec allows.

``generate(seed)`` returns a ``History``: the seven raw tables (lists of dicts with
Python values, exactly as a loader would write them) and the as_of_date. The same
seed always gives the same tables, so a failing comparison can be replayed.

The histories mix plausible customer lives (upgrades, seat changes, discounts,
trials, cancellations, reactivations, overlapping subscriptions) with timestamps
pulled towards the places where day-granularity rules break: midnight on the 1st,
the last day of a month (00:00 and 23:59:59) and the as_of_date itself. Every
rejection reason of docs/decisions.md is planted at least once per history, next
to exclusions (soft deletes at every level, test customers) that must win over a
rejection.

Spec section 9 reads what lies ahead of as_of: scheduled ends and item versions in
the forward months, trials that end later, and due and payment dates around as_of;
``build_forward_edges`` adds those from a random stream of its own, after every
other row, so what a seed made before stays as it was.

Kept small (30-60 customers, about three years) so a dbt build on it stays fast.
"""
from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from mrr_tools.raw_tables import raw_tables

# Column order and type of each raw table, read from the one declaration of the raw
# schema (the source YAML); the harness creates tables from it.
TABLE_COLUMNS = raw_tables()

# (plan_id, charge_type, billing_interval, count, price, currency) as the export spells them.
VALID_PLANS = [
    ("pl_basic_m", "recurring", "month", None, "29.00", "USD"),
    ("pl_pro_m", " Recurring", " Month ", 1, "99.00", "usd"),
    ("pl_team_m", "recurring", "MONTH", 1, "15.00", "USD"),
    ("pl_pro_y", "recurring", "year", 1, "990.00", "USD"),
    ("pl_ent_y2", "RECURRING", "Year", 2, "24000.00", "USD"),
    ("pl_eu_q", "recurring", "quarter", 1, "270.00", " eur"),
    ("pl_eu_m", "recurring", "month", 1, "49.00", "EUR"),
    ("pl_gb_m6", "recurring", "month", 6, "540.00", "gbp "),
    ("pl_gb_y", "recurring", "year", None, "1200.00", "GBP"),
    ("pl_week", "recurring", "week", 1, "12.50", "USD"),
    ("pl_week2", "recurring", "Week", 2, "30.00", "CAD"),
    ("pl_day", "recurring", "day", 1, "1.99", "CAD"),
    ("pl_day30", "recurring", " day", 30, "45.00", "USD"),
    ("pl_jp_m", "recurring", "month", 1, "5000.00", "JPY"),
    ("pl_q3", "recurring", "quarter", 3, "800.00", "USD"),
    ("pl_custom", "recurring", "month", 1, None, "USD"),  # only ever sold with a unit_price
    ("pl_free", "recurring", "month", 1, "0.00", "USD"),
    ("pl_sek_m", "recurring", "month", 1, "450.00", "SEK"),
    ("pl_usage", "usage", "month", 1, "0.02", "USD"),
    ("pl_usage_eu", "Usage", "month", None, "0.50", "EUR"),
]
RECURRING_FOR_STORIES = [p[0] for p in VALID_PLANS if p[0] not in ("pl_usage", "pl_usage_eu", "pl_custom")]
# Plans whose winning version is invalid, with the reason it must be rejected for.
INVALID_PLANS = [
    ("pl_bad_charge", "metered", "month", 1, "10.00", "USD"),
    ("pl_null_charge", None, "month", 1, "10.00", "USD"),
    ("pl_bad_interval", "recurring", "fortnight", 1, "10.00", "USD"),
    ("pl_null_interval", "recurring", None, 1, "10.00", "USD"),
    ("pl_zero_count", "recurring", "month", 0, "10.00", "USD"),
    ("pl_neg_count", "recurring", "month", -2, "10.00", "USD"),
    ("pl_neg_price", "recurring", "month", 1, "-5.00", "USD"),
]
FX_BASE = {"EUR": "1.08", "GBP": "1.27", "CAD": "0.74", "JPY": "0.0068", "SEK": "0.095"}

SUB_STATUSES = ["active", "Active ", "past_due", "canceled", "trialing", "unpaid"]
INVOICE_STATUS_WEIGHTS = [
    ("paid", 40), (" PAID ", 5), ("open", 12), ("Open", 3), ("uncollectible", 8),
    ("draft", 8), ("void", 8), ("VOID", 2),
]
# How an invoice's due and payment dates sit around as_of (section 9.5's overdue rule).
DUE_VARIANTS = ("no_due", "due_as_of", "due_as_of_late", "due_yesterday", "due_14", "due_15", "due_15_late",
                "due_30", "due_31", "paid_late", "paid_on_as_of", "paid_early", "due_before_issue",
                "issued_after_as_of")
LINE_TYPES = ["subscription", " Subscription", "proration", "usage", "USAGE ", "one_time",
              "One_Time", "setup"]


@dataclass
class History:
    seed: int
    as_of_date: date
    tables: dict = field(default_factory=dict)

    def variables(self, **overrides):
        return {
            "as_of_date": self.as_of_date.isoformat(),
            "reporting_currency": "USD",
            "mrr_include_trials": False,
            "mrr_apply_discounts": True,
            **overrides,
        }


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class _Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.tables = {name: [] for name in TABLE_COLUMNS}
        self.counters = {}
        rng = self.rng
        self.start = date(2022, 1, 1) + timedelta(days=rng.randint(0, 200))
        horizon = self.start + timedelta(days=1080 + rng.randint(0, 60))
        shape = rng.choice(["mid", "last", "first"])
        if shape == "last":
            horizon = _month_end(horizon)
        elif shape == "first":
            horizon = horizon.replace(day=1)
        self.as_of = horizon
        # The export is taken a little after as_of; every version is stamped before it.
        self.export_at = datetime.combine(self.as_of + timedelta(days=20), time(6, 0))
        self.sek_first_rate = self.start + timedelta(days=rng.randint(200, 500))
        self.fx_conflict_days = []
        self.clean_customers = []

    # ---------------------------------------------------------------- primitives
    def next_id(self, prefix):
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}_{self.counters[prefix]:04d}"

    def messy(self, key, p=0.12):
        """Keys arrive padded now and then; trimming must make them one key."""
        if key is None or self.rng.random() >= p:
            return key
        return self.rng.choice([f" {key}", f"{key}  ", f"  {key} "])

    def random_day(self, lo: date, hi: date) -> date:
        if hi <= lo:
            return lo
        return lo + timedelta(days=self.rng.randint(0, (hi - lo).days))

    def edge_ts(self, day: date) -> datetime:
        """A timestamp on or near ``day``, pulled towards the day-rule boundaries."""
        r = self.rng.random()
        first = day.replace(day=1)
        last = _month_end(day)
        if r < 0.18:
            return datetime.combine(first, time(0, 0))
        if r < 0.26:
            return datetime.combine(last + timedelta(days=1), time(0, 0))
        if r < 0.34:
            return datetime.combine(last, time(0, 0))
        if r < 0.42:
            return datetime.combine(last, time(23, 59, 59))
        if r < 0.46:
            return datetime.combine(self.as_of, time(self.rng.randint(0, 23), 30))
        if r < 0.49:
            return datetime.combine(self.as_of + timedelta(days=1), time(0, 0))
        return datetime.combine(day, time(self.rng.randint(0, 23), self.rng.randint(0, 59),
                                          self.rng.randint(0, 59)))

    def ts_between(self, lo: date, hi: date) -> datetime:
        return self.edge_ts(self.random_day(lo, hi))

    def money(self, lo, hi):
        return Decimal(self.rng.randint(int(lo * 100), int(hi * 100))) / 100

    def versioned(self, table, row, key_column, *, mutate=None, p_old=0.2, p_dup=0.08,
                  p_deleted=0.0, p_undeleted=0.0, deletable=True):
        """Append ``row`` as the winning version, maybe with older versions and copies.

        ``mutate(old_row)`` changes an older version so that using it instead of the
        winner would show in the marts.
        """
        rng = self.rng
        row = dict(row)
        row["updated_at"] = self.export_at - timedelta(hours=rng.randint(1, 400))
        if deletable:
            row.setdefault("is_deleted", False)
            if rng.random() < p_deleted:
                row["is_deleted"] = True
        rows = [row]
        for age in range(rng.choice([1, 1, 2]) if rng.random() < p_old else 0):
            old = dict(row)
            old[key_column] = self.messy(row[key_column].strip() if row[key_column] else None, 0.3)
            old["updated_at"] = row["updated_at"] - timedelta(days=age + 1, minutes=rng.randint(1, 600))
            if mutate:
                mutate(old)
            if deletable:
                old["is_deleted"] = False
            rows.append(old)
        if deletable and not row["is_deleted"] and rng.random() < p_undeleted:
            # Deleted once, restored later: the restore wins.
            old = dict(row)
            old["updated_at"] = row["updated_at"] - timedelta(days=3)
            old["is_deleted"] = True
            rows.append(old)
        if rng.random() < p_dup:
            rows.append(dict(row))
        rng.shuffle(rows)
        self.tables[table].extend(rows)
        return row

    # ----------------------------------------------------------------------- fx
    def build_fx(self):
        rng = self.rng
        lo = self.start - timedelta(days=40)
        hi = self.as_of + timedelta(days=90)
        rows = self.tables["fx_rates"]
        for currency, base in FX_BASE.items():
            rate = Decimal(base)
            places = Decimal("0.00000001") if currency == "JPY" else Decimal("0.000001")
            gaps = set()
            for _ in range(rng.randint(3, 7)):
                gap_start = self.random_day(lo, hi)
                gaps.update(gap_start + timedelta(days=k) for k in range(rng.randint(1, 12)))
            first = self.sek_first_rate if currency == "SEK" else lo
            day = first
            while day <= hi:
                rate = (rate * (1 + Decimal(rng.randint(-80, 80)) / 10000)).quantize(places)
                if day.weekday() < 5 and day not in gaps:
                    rows.append({"rate_date": day, "from_currency": currency, "to_currency": "USD",
                                 "rate": rate})
                day += timedelta(days=1)
        for row in rows:
            r = rng.random()
            if r < 0.03:
                row["from_currency"] = rng.choice([f" {row['from_currency'].lower()}",
                                                   row["from_currency"].capitalize() + " "])
            elif r < 0.05:
                row["to_currency"] = rng.choice([" usd", "Usd "])
        rows.extend(dict(r) for r in rng.sample(rows, 40))  # re-delivered identical copies
        # Rates the rules must not use: inverse, cross, and to nowhere near USD.
        for day in (self.start, self.start + timedelta(days=300)):
            rows.append({"rate_date": day, "from_currency": "USD", "to_currency": "CHF", "rate": Decimal("0.9")})
            rows.append({"rate_date": day, "from_currency": "CHF", "to_currency": "EUR", "rate": Decimal("1.02")})
            rows.append({"rate_date": day, "from_currency": "USD", "to_currency": "EUR", "rate": Decimal("0.93")})
        # Two different rates for one key: both rejected, the day falls back to an older rate.
        eur_days = [r for r in rows if r["from_currency"].strip().upper() == "EUR"
                    and r["to_currency"].strip().upper() == "USD"]
        for victim in rng.sample(eur_days, 3):
            self.fx_conflict_days.append(victim["rate_date"])
            rows.append({**victim, "rate": victim["rate"] + Decimal("0.01")})
        # Non-positive rates on weekend days that carry no other rate.
        saturday = self.start + timedelta(days=(5 - self.start.weekday()) % 7 + 70)
        rows.append({"rate_date": saturday, "from_currency": "EUR", "to_currency": "USD", "rate": Decimal("0")})
        rows.append({"rate_date": saturday + timedelta(days=8), "from_currency": "GBP", "to_currency": "USD",
                     "rate": Decimal("-1.1")})
        # One row without a full key.
        rows.append(rng.choice([
            {"rate_date": None, "from_currency": "EUR", "to_currency": "USD", "rate": Decimal("1.1")},
            {"rate_date": self.start, "from_currency": "  ", "to_currency": "USD", "rate": Decimal("1.1")},
            {"rate_date": self.start, "from_currency": "GBP", "to_currency": None, "rate": Decimal("1.3")},
        ]))
        rng.shuffle(rows)

    # -------------------------------------------------------------------- plans
    def plan_row(self, spec, **extra):
        plan_id, charge, interval, count, price, currency = spec
        return {
            "plan_id": plan_id, "plan_name": f"{plan_id} plan", "product_name": "product",
            "charge_type": charge, "billing_interval": interval, "billing_interval_count": count,
            "price": None if price is None else Decimal(price), "currency": currency, **extra,
        }

    def build_plans(self):
        rng = self.rng
        for spec in VALID_PLANS:
            row = self.plan_row(spec)
            if row["price"] and rng.random() < 0.5:
                row["price"] += Decimal(rng.randint(1, 99)) / 100

            def older_price(old, price=row["price"]):
                old["price"] = None if price is None else price + 7
            row["plan_id"] = self.messy(row["plan_id"])
            self.versioned("plans", row, "plan_id", mutate=older_price, p_old=0.35, p_dup=0.1,
                           p_undeleted=0.1)
        for spec in INVALID_PLANS:
            self.versioned("plans", self.plan_row(spec), "plan_id", p_old=0.2)
        # Deleted plan: its items go with it, even invalid ones.
        self.versioned("plans", {**self.plan_row(("pl_deleted", "recurring", "month", 1, "70.00", "USD")),
                                 "is_deleted": True}, "plan_id")
        # An invalid older version repaired by the winner: kept.
        fixed = self.plan_row(("pl_fixed", "recurring", "month", 1, "39.00", "USD"))
        self.versioned("plans", fixed, "plan_id", p_old=1.0,
                       mutate=lambda old: old.update(price=Decimal("-39.00")))
        # A valid older version broken by the winner: rejected.
        broken = self.plan_row(("pl_broken", "recurring", "decade", 1, "39.00", "USD"))
        self.versioned("plans", broken, "plan_id", p_old=1.0,
                       mutate=lambda old: old.update(billing_interval="month"))
        self.tables["plans"].append({**self.plan_row(("  ", "recurring", "month", 1, "5.00", "USD")),
                                     "updated_at": self.export_at, "is_deleted": False})
        self.valid_recurring = RECURRING_FOR_STORIES + ["pl_fixed"]

    # ---------------------------------------------------------------- customers
    def build_customer(self, index, *, test=False, deleted=False, clean=False):
        rng = self.rng
        customer_id = f"cus_{index:03d}"
        row = {
            "customer_id": customer_id if clean else self.messy(customer_id),
            "customer_name": f"Customer {index}",
            "email": None if rng.random() < 0.2 else f"c{index}@example.com",
            "country_code": rng.choice([" us", "DE ", "gb", "Fr", "US", None]),
            "segment": rng.choice(["smb", "mid_market", "enterprise", None]),
            "is_test": test,
            "created_at": datetime.combine(self.start, time(9)),
            "is_deleted": deleted,
        }
        self.versioned("customers", row, "customer_id",
                       mutate=lambda old: old.update(customer_name="old name", is_test=False),
                       p_old=0 if clean else 0.3, p_dup=0.1, p_undeleted=0 if clean else 0.08)
        return customer_id

    # ------------------------------------------------------------ subscriptions
    def add_subscription(self, customer_id, started_at, *, ended_at=None, cancel_at=None,
                         trial_end_at=None, p_deleted=0.04, sub_id=None):
        rng = self.rng
        sub_id = sub_id or self.next_id("sub")
        created = (started_at or datetime.combine(self.start, time(8))) - timedelta(days=rng.randint(0, 5))
        row = {
            "subscription_id": self.messy(sub_id), "customer_id": self.messy(customer_id),
            "status": rng.choice(SUB_STATUSES), "created_at": created, "started_at": started_at,
            "trial_end_at": trial_end_at,
            "canceled_at": (cancel_at or ended_at) - timedelta(days=rng.randint(0, 30))
            if (cancel_at or ended_at) and rng.random() < 0.7 else None,
            "cancel_at": cancel_at, "ended_at": ended_at,
        }

        def older(old):
            # An older version without the end: using it would keep MRR alive.
            old.update(ended_at=None, cancel_at=None, status="active")
        self.versioned("subscriptions", row, "subscription_id", mutate=older, p_old=0.25,
                       p_dup=0.06, p_deleted=p_deleted, p_undeleted=0.04)
        return sub_id

    def add_item(self, sub_id, plan_id, valid_from, valid_to, *, quantity=1, unit_price=None,
                 discount_percent=None, discount_amount=None, p_deleted=0.04, item_id=None, messy=True):
        item_id = item_id or self.next_id("si")
        row = {
            "subscription_item_id": self.messy(item_id) if messy else item_id,
            "subscription_id": self.messy(sub_id) if messy else sub_id,
            "plan_id": self.messy(plan_id) if messy else plan_id,
            "quantity": quantity, "unit_price": unit_price, "discount_percent": discount_percent,
            "discount_amount": discount_amount, "valid_from": valid_from, "valid_to": valid_to,
        }

        def older(old):
            old.update(quantity=(quantity or 1) + 3, valid_to=None)
        self.versioned("subscription_items", row, "subscription_item_id", mutate=older,
                       p_old=0.15 if messy else 0, p_dup=0.07 if messy else 0,
                       p_deleted=p_deleted, p_undeleted=0.03 if messy else 0)
        return item_id

    def random_item_terms(self, plan_id):
        rng = self.rng
        terms = {"quantity": rng.choice([None, 1, 1, 1, 2, 3, 5, 12, 0])}
        if plan_id in ("pl_team_m", "pl_custom"):
            terms["quantity"] = rng.randint(1, 40)
        if plan_id == "pl_custom" or rng.random() < 0.12:
            terms["unit_price"] = self.money(5, 400)
        r = rng.random()
        if r < 0.15:
            terms["discount_percent"] = Decimal(rng.choice(["10", "15.5", "25", "50", "100"]))
        elif r < 0.22:
            # Sometimes more than the price: the period amount floors at 0.
            terms["discount_amount"] = Decimal(rng.choice(["5", "20", "100000"]))
        elif r < 0.25:
            terms["discount_percent"] = Decimal("20")
            terms["discount_amount"] = Decimal("3.5")
        return terms

    def build_item_chain(self, sub_id, start: datetime, end: datetime | None):
        """Versions of one priced line: each change closes one item and opens the next."""
        rng = self.rng
        valid_from = start
        if rng.random() < 0.15:
            valid_from += timedelta(days=rng.choice([-10, -1, 3, 17]))
        plan_id = rng.choice(self.valid_recurring)
        terms = self.random_item_terms(plan_id)
        for _version in range(rng.choice([1, 2, 2, 3, 3, 4, 5])):
            last = rng.random() < 0.2
            change_day = valid_from.date() + timedelta(days=rng.randint(20, 330))
            valid_to = self.edge_ts(change_day) if not last else None
            if valid_to is not None and valid_to <= valid_from:
                valid_to = valid_from + timedelta(days=40)
            if last and rng.random() < 0.25:
                valid_to = self.edge_ts(valid_from.date() + timedelta(days=rng.randint(10, 500)))
                if valid_to < valid_from:
                    valid_to = valid_from  # a zero-length item counts on no day
            self.add_item(sub_id, plan_id, valid_from, valid_to, **terms)
            if valid_to is None or last:
                break
            valid_from = valid_to
            change = rng.random()
            if change < 0.4:
                plan_id = rng.choice(self.valid_recurring)
                terms = self.random_item_terms(plan_id)
            elif change < 0.75:
                terms = dict(terms, quantity=rng.choice([1, 2, 3, 4, 8, 20, 0]))
            else:
                terms = dict(terms, discount_percent=rng.choice([None, Decimal("30")]), discount_amount=None)
        if rng.random() < 0.2:
            # An add-on or metered line beside the main one.
            addon_plan = rng.choice(["pl_usage", "pl_usage_eu", "pl_team_m", "pl_eu_m", "pl_week", "pl_custom"])
            addon_from = self.edge_ts(start.date() + timedelta(days=rng.randint(0, 200)))
            addon_to = None if rng.random() < 0.6 else addon_from + timedelta(days=rng.randint(31, 400))
            self.add_item(sub_id, addon_plan, addon_from, addon_to, **self.random_item_terms(addon_plan))
        if rng.random() < 0.1:
            # The line stops and a new one starts later in the same subscription.
            restart = self.edge_ts(start.date() + timedelta(days=rng.randint(200, 700)))
            plan_id = rng.choice(self.valid_recurring)
            self.add_item(sub_id, plan_id, restart, None, **self.random_item_terms(plan_id))

    def build_customer_life(self, customer_id):
        rng = self.rng
        subs = []
        latest_start = self.as_of + timedelta(days=30)
        # Most lives start early so that they have time to change.
        span = (latest_start - self.start).days
        start_day = self.start + timedelta(days=int(span * rng.random() ** 1.7))
        for _ in range(rng.choices([1, 2, 3], weights=[55, 30, 15])[0]):
            started_at = self.edge_ts(start_day)
            trial_end_at = None
            if rng.random() < 0.25:
                trial_end_at = started_at + timedelta(days=rng.choice([14, 30]))
                if rng.random() < 0.2:
                    trial_end_at = datetime.combine(self.as_of + timedelta(days=rng.randint(1, 20)), time(12))
            ended_at = cancel_at = None
            if rng.random() < 0.45:
                ended_at = self.edge_ts(started_at.date() + timedelta(days=rng.randint(15, 800)))
                if ended_at < started_at:
                    ended_at = started_at + timedelta(days=20)
            r = rng.random()
            if r < 0.1:
                cancel_at = self.edge_ts(started_at.date() + timedelta(days=rng.randint(15, 600)))
                if cancel_at < started_at:
                    cancel_at = None
            elif r < 0.18:
                # Scheduled well beyond the window.
                cancel_at = datetime.combine(self.as_of + timedelta(days=rng.randint(1, 200)), time(0))
            elif r < 0.24 and ended_at:
                cancel_at = ended_at + timedelta(days=rng.choice([-40, -3, 0, 25]))
            never_started = rng.random() < 0.04
            sub_id = self.add_subscription(customer_id, None if never_started else started_at,
                                           ended_at=ended_at, cancel_at=cancel_at, trial_end_at=trial_end_at)
            subs.append((sub_id, started_at, ended_at))
            self.build_item_chain(sub_id, started_at, ended_at)
            # The next subscription either overlaps this one or comes back after a gap.
            if rng.random() < 0.4:
                start_day = self.random_day(started_at.date(), started_at.date() + timedelta(days=200))
            else:
                gap_from = (min(d for d in (ended_at, cancel_at) if d) if (ended_at or cancel_at)
                            else started_at + timedelta(days=300)).date()
                start_day = gap_from + timedelta(days=rng.randint(1, 300))
            if start_day > latest_start:
                break
        return subs

    # ----------------------------------------------------------------- invoices
    def add_invoice(self, customer_id, sub_id, issued_at, currency, *, status=None, n_lines=None,
                    line_types=None, p_deleted=0.04, invoice_id=None):
        rng = self.rng
        invoice_id = invoice_id or self.next_id("inv")
        status = status if status is not None else rng.choices(
            [s for s, _ in INVOICE_STATUS_WEIGHTS], weights=[w for _, w in INVOICE_STATUS_WEIGHTS])[0]
        row = {
            "invoice_id": self.messy(invoice_id), "customer_id": self.messy(customer_id),
            "subscription_id": sub_id, "status": status, "currency": currency, "issued_at": issued_at,
            "due_at": issued_at + timedelta(days=30) if issued_at else None,
            "paid_at": issued_at + timedelta(days=3) if issued_at and "paid" in status.lower() else None,
        }
        self.versioned("invoices", row, "invoice_id", mutate=lambda old: old.update(status="draft"),
                       p_old=0.2, p_dup=0.05, p_deleted=p_deleted)
        for _ in range(n_lines if n_lines is not None else rng.randint(1, 3)):
            self.add_line(invoice_id, sub_id, rng.choice(line_types or LINE_TYPES))
        return invoice_id

    def add_line(self, invoice_id, sub_id, line_type, *, line_id=None, **override):
        rng = self.rng
        amount = self.money(-80, 600) if rng.random() < 0.12 else self.money(0, 900)
        row = {
            "invoice_line_id": self.messy(line_id or self.next_id("il")),
            "invoice_id": self.messy(invoice_id), "subscription_id": sub_id, "plan_id": None,
            "line_type": line_type, "description": f"{line_type} line",
            "quantity": rng.choice([None, Decimal("1"), Decimal("2.5"), Decimal("10")]),
            "amount": amount,
            "discount_amount": rng.choice([None, None, None, Decimal("0"), self.money(0, 50)]),
            "tax_amount": rng.choice([None, self.money(0, 100)]),
            "period_start": None, "period_end": None,
            **override,
        }
        self.versioned("invoice_lines", row, "invoice_line_id",
                       mutate=lambda old: old.update(amount=(amount or 0) + 1000), p_old=0.1, p_dup=0.05,
                       deletable=False)

    def build_invoices(self, customer_id, subs):
        rng = self.rng
        currency = rng.choice(["USD", "USD", "usd ", "EUR", " gbp", "CAD", "JPY"])
        for sub_id, started_at, ended_at in subs:
            if rng.random() < 0.4:
                continue
            hi = min((ended_at or datetime.combine(self.as_of, time())).date(), self.as_of) + timedelta(days=45)
            for _ in range(rng.randint(1, 3)):
                issued = self.ts_between(started_at.date(), max(hi, started_at.date()))
                self.add_invoice(customer_id, sub_id, issued, currency)
        if rng.random() < 0.15:
            issued = self.ts_between(self.start, self.as_of + timedelta(days=20))
            self.add_invoice(customer_id, None, issued, currency, line_types=["setup", "one_time"])

    # ------------------------------------------------------------------ invalid
    def build_invalid_rows(self, anchor_customer, anchor_sub, test_customer, deleted_customer):
        """At least one row per rejection reason, plus exclusions that must win over one."""
        rng = self.rng
        t0 = datetime.combine(self.start + timedelta(days=rng.randint(60, 400)), time(10))
        sek_early = datetime.combine(self.sek_first_rate - timedelta(days=rng.randint(1, 60)), time(10))
        conflict = datetime.combine(rng.choice(self.fx_conflict_days), time(15))

        # Customers: a blank key.
        self.tables["customers"].append({
            "customer_id": rng.choice([None, "   "]), "customer_name": "nobody", "email": None,
            "country_code": "US", "segment": None, "is_test": False,
            "created_at": t0, "updated_at": self.export_at, "is_deleted": False})

        # Subscriptions.
        self.tables["subscriptions"].append({
            "subscription_id": rng.choice([None, " "]), "customer_id": anchor_customer, "status": "active",
            "created_at": t0, "started_at": t0, "trial_end_at": None, "canceled_at": None, "cancel_at": None,
            "ended_at": None, "updated_at": self.export_at, "is_deleted": False})
        ghost_sub = self.add_subscription("cus_ghost", t0, p_deleted=0, sub_id="sub_bad_customer")
        nul_sub = self.add_subscription(None, t0, p_deleted=0, sub_id="sub_null_customer")
        deleted_sub = self.add_subscription(anchor_customer, t0, p_deleted=1.0, sub_id="sub_deleted")

        # Items, one per reason, on the clean anchor subscription.
        def item(plan="pl_basic_m", sub=anchor_sub, valid_from=t0, valid_to=None, p_deleted=0, **terms):
            self.add_item(sub, plan, valid_from, valid_to, p_deleted=p_deleted, messy=False, **terms)
        self.tables["subscription_items"].append({
            "subscription_item_id": rng.choice([None, "  "]), "subscription_id": anchor_sub,
            "plan_id": "pl_basic_m", "quantity": 1, "unit_price": None, "discount_percent": None,
            "discount_amount": None, "valid_from": t0, "valid_to": None, "updated_at": self.export_at,
            "is_deleted": False})
        item(sub="sub_ghost")
        item(sub=ghost_sub)
        item(sub=nul_sub)
        item(plan="pl_ghost")
        for spec in INVALID_PLANS + [("pl_broken",)]:
            item(plan=spec[0])
        item(unit_price=Decimal("-1"), quantity=-1)  # first failing rule wins
        item(quantity=-3)
        item(discount_amount=Decimal("-2"))
        item(discount_percent=Decimal("150"))
        item(discount_percent=Decimal("-5"))
        item(valid_from=None)
        item(valid_to=t0 - timedelta(seconds=1))
        item(valid_to=t0)  # equal is valid and counts on no day
        item(plan="pl_chf_m")  # plan with no rate to USD at all
        item(plan="pl_sek_m", valid_from=sek_early)
        item(plan="pl_eu_m", valid_from=conflict, quantity=2)  # falls back past the conflicting rate
        # Exclusions win over rejections (decisions.md: a gone record is not validated).
        item(quantity=-7, p_deleted=1.0)
        item(plan="pl_deleted_bad")
        self.add_subscription("cus_ghost", t0, p_deleted=1.0, sub_id="sub_deleted_bad_customer")
        self.versioned("plans", {**self.plan_row(("pl_deleted_bad", "recurring", "fortnight", 0, "-1", "USD")),
                                 "is_deleted": True}, "plan_id")
        item(plan="pl_deleted", quantity=-1)
        item(sub=deleted_sub, quantity=-1)
        test_sub = self.add_subscription(test_customer, t0, p_deleted=0)
        item(sub=test_sub, plan="pl_ghost")
        gone_sub = self.add_subscription(deleted_customer, t0, p_deleted=0)
        item(sub=gone_sub, discount_percent=Decimal("101"))
        self.tables["plans"].append({**self.plan_row(("pl_chf_m", "recurring", "month", 1, "79.00", "chf")),
                                     "updated_at": self.export_at, "is_deleted": False})

        # Invoices.
        def invoice(customer=anchor_customer, issued=t0, currency="USD", status="paid", n_lines=1, **kw):
            return self.add_invoice(customer, None, issued, currency, status=status, n_lines=n_lines,
                                    p_deleted=0, **kw)
        self.tables["invoices"].append({
            "invoice_id": rng.choice([None, " "]), "customer_id": anchor_customer, "subscription_id": None,
            "status": "paid", "currency": "USD", "issued_at": t0, "due_at": None, "paid_at": None,
            "updated_at": self.export_at, "is_deleted": False})
        invoice(customer="cus_ghost")
        invoice(status="refunded")
        invoice(status=None)
        invoice(issued=None)
        invoice(currency="CHF")
        invoice(currency="sek", issued=sek_early)
        invoice(currency=" eur", issued=conflict)
        invoice(customer=test_customer, status="refunded")  # excluded, not rejected
        self.add_invoice(anchor_customer, None, None, "CHF", status="refunded", n_lines=1, p_deleted=1.0)
        self.add_invoice(deleted_customer, None, t0, "USD", status="paid", n_lines=1, p_deleted=0,
                         line_types=["tax"])
        deleted_invoice = self.add_invoice(anchor_customer, None, t0, "USD", status="paid", n_lines=0,
                                           p_deleted=1.0)
        ok_invoice = invoice(n_lines=0)

        # Lines.
        def line(line_type="one_time", invoice_id=ok_invoice, **kw):
            self.add_line(invoice_id, None, line_type, **kw)
        self.tables["invoice_lines"].append({
            "invoice_line_id": rng.choice([None, ""]), "invoice_id": ok_invoice, "subscription_id": None,
            "plan_id": None, "line_type": "setup", "description": "x", "quantity": None,
            "amount": Decimal("10"), "discount_amount": None, "tax_amount": None, "period_start": None,
            "period_end": None, "updated_at": self.export_at})
        line(invoice_id="inv_ghost")
        line("tax")
        line(None)
        line(quantity=Decimal("-1"))
        line(discount_amount=Decimal("-4"))
        line(quantity=Decimal("-1"), discount_amount=Decimal("-4"))
        line("tax", invoice_id=deleted_invoice)  # excluded, not rejected
        line("setup", amount=Decimal("-25.00"))  # a credit is valid

    # ------------------------------------------------------------ looking forward
    def build_forward_edges(self):
        """What spec section 9 reads, at its edges: scheduled ends and item versions in
        the forward months, trials ending after as_of, overdue and late-paid invoices.

        Drawn from a random stream of its own and added after everything above, so
        every row the seed made before stays exactly as it was.
        """
        self.rng = rng = random.Random(f"forward-edges-{self.seed}")
        before = {table: len(rows) for table, rows in self.tables.items()}
        self.reshape_due_dates()
        as_of = self.as_of

        def forward_end(months_ahead, at=time(0)):
            month = as_of.replace(day=1)
            for _ in range(months_ahead):
                month = _month_end(month) + timedelta(days=1)
            return datetime.combine(_month_end(month), at)

        def forward_first(months_ahead):
            return datetime.combine(forward_end(months_ahead - 1).date() + timedelta(days=1), time(0))

        def some_forward_day():
            months_ahead = rng.randint(1, 13)  # the 13th lies past the default forward months
            return rng.choice([forward_end(months_ahead), forward_end(months_ahead, time(23, 59, 59)),
                               forward_first(months_ahead),
                               datetime.combine(as_of + timedelta(days=1), time(0)),
                               datetime.combine(as_of, time(18, 0)),
                               self.edge_ts(as_of + timedelta(days=rng.randint(1, 400)))])

        for index in range(700, 700 + rng.randint(10, 16)):
            customer_id = self.build_customer(index)
            started = self.edge_ts(as_of - timedelta(days=rng.randint(60, 500)))
            plan_id = rng.choice(self.valid_recurring)
            terms = self.random_item_terms(plan_id)
            story = rng.choice(["cancel", "ended", "downgrade", "upgrade", "trial", "starts_later",
                                "comes_back", "contracting", "cancel_and_downgrade"])
            cancel_at = ended_at = trial_end_at = None
            if story in ("cancel", "cancel_and_downgrade"):
                cancel_at = some_forward_day()
            elif story == "ended":
                ended_at = some_forward_day()
            elif story == "trial":
                started = datetime.combine(as_of - timedelta(days=rng.randint(0, 20)), time(9))
                trial_end_at = rng.choice([datetime.combine(as_of, time(12)), some_forward_day(),
                                           forward_end(1), forward_end(2, time(23, 59, 59))])
            elif story == "starts_later":
                started = some_forward_day()
            elif story == "comes_back":
                first = self.add_subscription(customer_id, started,
                                              ended_at=datetime.combine(as_of - timedelta(days=40), time(0)))
                self.add_item(first, plan_id, started, None, **terms)
                started = some_forward_day()
            sub_id = self.add_subscription(customer_id, started, ended_at=ended_at, cancel_at=cancel_at,
                                           trial_end_at=trial_end_at, p_deleted=0.02)
            if story in ("downgrade", "upgrade", "cancel_and_downgrade", "contracting"):
                change = (datetime.combine(as_of - timedelta(days=rng.randint(35, 120)), time(0))
                          if story == "contracting" else some_forward_day())
                if change <= started:
                    change = started + timedelta(days=1)
                quantity = rng.randint(2, 9)
                later = max(1, quantity + (rng.randint(1, 5) if story == "upgrade" else -rng.randint(1, quantity)))
                self.add_item(sub_id, plan_id, started, change, **{**terms, "quantity": quantity})
                self.add_item(sub_id, plan_id, change, None, **{**terms, "quantity": later})
            else:
                self.add_item(sub_id, plan_id, started, None, **terms)
            currency = rng.choice(["USD", "usd ", "EUR"])
            for _ in range(rng.randint(0, 3)):
                issued = self.edge_ts(as_of - timedelta(days=rng.randint(0, 90)))
                self.add_invoice(customer_id, sub_id, issued, currency,
                                 status=rng.choice(["open", "Open ", "uncollectible", "paid"]))
                self.reshape_due_dates()
        # Every due/paid variant once more, alone on a customer of its own that pays on
        # as_of: whether that customer is a row of fct_mrr_at_risk, and with what, turns
        # on that one invoice, so a rule reading the variant wrongly shows whatever the seed.
        for number, variant in enumerate(DUE_VARIANTS, 800):
            customer_id = self.build_customer(number)
            started = datetime.combine(as_of - timedelta(days=rng.randint(100, 300)), time(9))
            sub_id = self.add_subscription(customer_id, started, p_deleted=0)
            self.add_item(sub_id, "pl_basic_m", started, None, p_deleted=0)
            issued = (datetime.combine(as_of + timedelta(days=1), time(8)) if variant == "issued_after_as_of"
                      else datetime.combine(as_of - timedelta(days=rng.randint(20, 70)), time(10)))
            self.add_invoice(customer_id, sub_id, issued, "USD", status=rng.choice(["open", " Open", "uncollectible"]),
                             n_lines=1, p_deleted=0)
            self.reshape_due_dates(variant=variant)
        # The new rows land anywhere in their tables, as a loader would deliver them.
        for table, rows in self.tables.items():
            added = rows[before[table]:]
            del rows[before[table]:]
            for row in added:
                rows.insert(rng.randint(0, len(rows)), row)

    def reshape_due_dates(self, variant=None):
        """Due and payment dates around as_of: due on as_of, one day before it, at the
        delinquency threshold (14 and 15 days), never due, paid late, paid on as_of.

        Every version and copy of an invoice gets the same dates, so identical copies
        stay identical; no other mart reads these two columns.
        """
        rng = self.rng
        as_of = self.as_of
        by_key = {}
        for row in self.tables["invoices"]:
            key = row["invoice_id"].strip() if isinstance(row["invoice_id"], str) else None
            if key and not row.get("_reshaped"):
                by_key.setdefault(key, []).append(row)
        for rows in by_key.values():
            if variant is None and rng.random() >= 0.35:
                for row in rows:
                    row["_reshaped"] = True
                continue
            issued = rows[0]["issued_at"]
            chosen = variant or rng.choice(DUE_VARIANTS)
            due = {
                "no_due": None,
                "due_as_of": datetime.combine(as_of, time(0)),
                "due_as_of_late": datetime.combine(as_of, time(23, 30)),
                "due_yesterday": datetime.combine(as_of - timedelta(days=1), time(23, 59, 59)),
                "due_14": datetime.combine(as_of - timedelta(days=14), time(10)),
                "due_15": datetime.combine(as_of - timedelta(days=15), time(0)),
                "due_15_late": datetime.combine(as_of - timedelta(days=15), time(23, 59, 59)),
                "due_30": datetime.combine(as_of - timedelta(days=30), time(12)),
                "due_31": datetime.combine(as_of - timedelta(days=31), time(0)),
                "issued_after_as_of": datetime.combine(as_of - timedelta(days=10), time(0)),
                "due_before_issue": issued - timedelta(days=20) if issued else None,
            }.get(chosen, datetime.combine(as_of - timedelta(days=rng.randint(1, 60)), time(12)))
            paid = {
                "paid_late": datetime.combine(as_of + timedelta(days=rng.randint(1, 15)), time(8)),
                "paid_on_as_of": datetime.combine(as_of, time(23, 30)),
                "paid_early": (due - timedelta(days=2)) if due else None,
            }.get(chosen, rows[0]["paid_at"])
            for row in rows:
                row.update(due_at=due, paid_at=paid, _reshaped=True)

    def strip_marks(self):
        for row in self.tables["invoices"]:
            row.pop("_reshaped", None)

    # -------------------------------------------------------------------- build
    def build(self) -> History:
        rng = self.rng
        self.build_fx()
        self.build_plans()
        n_customers = rng.randint(30, 60)
        test_ids, deleted_ids = [], []
        for index in range(1, n_customers + 1):
            test = index == 2 or (index != 3 and rng.random() < 0.05)
            deleted = index == 3 or (not test and rng.random() < 0.04)
            customer_id = self.build_customer(index, test=test, deleted=deleted)
            (test_ids if test else deleted_ids if deleted else self.clean_customers).append(customer_id)
            subs = self.build_customer_life(customer_id)
            self.build_invoices(customer_id, subs)
        # An early one-off invoice makes revenue start before MRR in most histories.
        if rng.random() < 0.7:
            issued = datetime.combine(self.start - timedelta(days=rng.randint(20, 90)), time(11))
            self.add_invoice(rng.choice(self.clean_customers), None, issued, "USD", status="paid",
                             line_types=["setup"], p_deleted=0)
        anchor = self.build_customer(900, clean=True)
        anchor_started = datetime.combine(self.start + timedelta(days=30), time(0))
        anchor_sub = self.add_subscription(anchor, anchor_started, p_deleted=0)
        self.add_item(anchor_sub, "pl_pro_m", anchor_started, None, p_deleted=0, messy=False)
        self.build_invalid_rows(anchor, anchor_sub, test_ids[0], deleted_ids[0])
        for rows in self.tables.values():
            rng.shuffle(rows)
        self.build_forward_edges()
        self.strip_marks()
        return History(seed=-1, as_of_date=self.as_of, tables=self.tables)


def generate(seed: int) -> History:
    history = _Builder(seed).build()
    history.seed = seed
    return history
