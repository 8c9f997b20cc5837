#!/usr/bin/env python3
"""Generate the demo billing export (spec section 1) as dbt CSV seeds.

The data imitates what a subscription-billing system's export looks like after it
has landed in a warehouse for three years (2023-11-01 .. 2026-11-24): re-delivered
row versions, identical copies, soft deletes, messy codes, test accounts, and a
few invalid rows of every kind that docs/decisions.md rejects. Everything else is
a plausible SaaS business whose MRR grows with visible churn, expansion,
contraction and reactivations.

Determinism: one `random.Random(20261124)` drives everything, the demo's "today"
is a constant (never the clock), rows are written in a sorted order and nothing
iterates over a set, so re-running reproduces the CSVs byte for byte (the pytest
suite checks this). Only `Random.random()` is used: Python guarantees its
sequence across versions, unlike randint/choice/gauss. Floating point is limited
to + - * / (no libm), which IEEE 754 makes identical on every platform.

Usage: python scripts/generate_demo_data.py [--out DIR]   (default seeds/billing)
"""

from __future__ import annotations

import argparse
import calendar
import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20261124
# The export was taken early on the demo's "today"; no event is later than this.
EXPORT_AT = datetime(2026, 11, 24, 6, 0, 0)
AS_OF = EXPORT_AT.date()
HISTORY_START = datetime(2023, 11, 1)
FX_START = date(2023, 10, 1)
# JPY rates only start here, so JPY amounts dated earlier have no fx rate.
JPY_RATES_START = date(2025, 4, 1)
# List prices rose on this day; existing subscriptions keep (grandfather) old plans.
PRICE_CHANGE_AT = datetime(2025, 3, 1)
# Upcoming invoices this close to the export exist as drafts.
DRAFT_HORIZON = timedelta(days=10)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds" / "billing"

COLUMNS = {
    "customers": [
        "customer_id", "customer_name", "email", "country_code", "segment",
        "is_test", "created_at", "updated_at", "is_deleted",
    ],
    "plans": [
        "plan_id", "plan_name", "product_name", "charge_type", "billing_interval",
        "billing_interval_count", "price", "currency", "updated_at", "is_deleted",
    ],
    "subscriptions": [
        "subscription_id", "customer_id", "status", "created_at", "started_at",
        "trial_end_at", "canceled_at", "cancel_at", "ended_at", "updated_at", "is_deleted",
    ],
    "subscription_items": [
        "subscription_item_id", "subscription_id", "plan_id", "quantity", "unit_price",
        "discount_percent", "discount_amount", "valid_from", "valid_to", "updated_at",
        "is_deleted",
    ],
    "invoices": [
        "invoice_id", "customer_id", "subscription_id", "status", "currency",
        "issued_at", "due_at", "paid_at", "updated_at", "is_deleted",
    ],
    "invoice_lines": [
        "invoice_line_id", "invoice_id", "subscription_id", "plan_id", "line_type",
        "description", "quantity", "amount", "discount_amount", "tax_amount",
        "period_start", "period_end", "updated_at",
    ],
    "fx_rates": ["rate_date", "from_currency", "to_currency", "rate"],
}
KEY = {
    "customers": "customer_id",
    "plans": "plan_id",
    "subscriptions": "subscription_id",
    "subscription_items": "subscription_item_id",
    "invoices": "invoice_id",
    "invoice_lines": "invoice_line_id",
}

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


# --------------------------------------------------------------------------- helpers


class Rng:
    """random.Random restricted to random(), whose sequence is stable across Pythons."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def chance(self, p: float) -> bool:
        return self.random() < p

    def randint(self, lo: int, hi: int) -> int:
        return lo + int(self.random() * (hi - lo + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.random() * total
        for value, weight in pairs:
            x -= weight
            if x < 0:
                return value
        return pairs[-1][0]

    def normal(self) -> float:
        # Irwin-Hall approximation: no libm call, so bit-identical everywhere.
        return sum(self.random() for _ in range(12)) - 6.0

    def child(self) -> Rng:
        # Independent streams per customer keep a local edit from reshuffling
        # everything generated after it.
        return Rng(int(self.random() * 2**53))


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(d: datetime, n: int) -> datetime:
    """Calendar months later, clamped to month end (billing-anchor behaviour)."""
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, days_in_month(year, month)))


def month_start(d: datetime) -> datetime:
    return datetime(d.year, d.month, 1)


def random_time_in_month(rng: Rng, first: datetime, latest: datetime = EXPORT_AT) -> datetime:
    last_day = days_in_month(first.year, first.month)
    for _ in range(20):
        t = first.replace(day=rng.randint(1, last_day), hour=rng.randint(7, 21),
                          minute=rng.randint(0, 59), second=rng.randint(0, 59))
        if t <= latest:
            return t
    return first


def event_time(rng: Rng, first: datetime) -> datetime:
    """When a plan change happens in the month starting at `first`.

    A quarter of changes are scheduled for midnight on the 1st (the old item's
    valid_to equals the new one's valid_from: 'YYYY-MM-01 00:00:00'), some land on
    the month's last day (they must count in that month's snapshot), the rest at
    a random moment mid-month.
    """
    r = rng.random()
    if r < 0.25:
        return first
    last_day = days_in_month(first.year, first.month)
    day = last_day if r < 0.33 else rng.randint(2, last_day - 1)
    return first.replace(day=day, hour=rng.randint(6, 22), minute=rng.randint(0, 59),
                         second=rng.randint(0, 59))


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def messy(rng: Rng, code: str, rate: float) -> str:
    """Spell a code the way a careless source system might (case, padding)."""
    if not rng.chance(rate):
        return code
    cap = code[:1].upper() + code[1:].lower()
    variants = [code.upper(), code.lower(), cap, " " + code, code + " ",
                " " + cap + " ", cap + " ", " " + code.lower()]
    return rng.choice(variants)


def pad(rng: Rng, key: str | None, rate: float) -> str | None:
    """Occasionally surround a key with spaces (staging must trim)."""
    if key is None or not rng.chance(rate):
        return key
    return rng.choice([" " + key, key + " ", " " + key + " "])


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --------------------------------------------------------------------------- fx rates

MAIN_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
# USD value of one unit at the start and the level it trends to by the end.
FX_PATHS = (
    ("USD", 1.0, 1.0),
    ("EUR", 1.057, 1.155),
    ("GBP", 1.215, 1.325),
    ("CAD", 0.733, 0.712),
    ("AUD", 0.636, 0.664),
    ("JPY", 0.00668, 0.00655),
)


def business_days(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def build_fx_rows(rng: Rng) -> list[dict]:
    """Mon-Fri rates for every ordered pair, so any of them can be the reporting currency."""
    days = business_days(FX_START, AS_OF)
    n = len(days)
    usd_value: dict[str, list[float]] = {}
    for ccy, start, end in FX_PATHS:
        values, v = [], start
        for i in range(n):
            if ccy != "USD":
                trend = start + (end - start) * i / (n - 1)
                # ~0.45 % daily volatility, pulled back towards a slow trend.
                v = v + v * 0.0045 * rng.normal() + 0.02 * (trend - v)
            values.append(v)
        usd_value[ccy] = values
    rows = []
    for i, d in enumerate(days):
        ccys = MAIN_CURRENCIES + (("JPY",) if d >= JPY_RATES_START else ())
        for a in ccys:
            for b in ccys:
                if a != b:
                    rate = usd_value[a][i] / usd_value[b][i]
                    rows.append({"rate_date": d, "from_currency": a, "to_currency": b,
                                 "rate": Decimal(f"{rate:.8f}")})
    return rows


# --------------------------------------------------------------------------- plans

# key: (tier, product, name, charge_type, interval, count, USD price v1, USD price v2)
# A price change is a new plan (v2); count None means 1, a few plans spell out 1.
CATALOG = {
    "starter_m": ("starter", "Insight Cloud", "Starter monthly", "recurring", "month", None, "29", "35"),
    "starter_y": ("starter", "Insight Cloud", "Starter annual", "recurring", "year", None, "290", "350"),
    "growth_m": ("growth", "Insight Cloud", "Growth monthly", "recurring", "month", None, "59", "69"),
    "growth_q": ("growth", "Insight Cloud", "Growth quarterly", "recurring", "quarter", 1, "165", None),
    "growth_h": ("growth", "Insight Cloud", "Growth semi-annual", "recurring", "month", 6, "320", None),
    "growth_y": ("growth", "Insight Cloud", "Growth annual", "recurring", "year", None, "590", "690"),
    "pro_m": ("pro", "Insight Cloud", "Pro monthly", "recurring", "month", 1, "119", "139"),
    "pro_y": ("pro", "Insight Cloud", "Pro annual", "recurring", "year", None, "1190", "1390"),
    "enterprise_y": ("enterprise", "Insight Cloud", "Enterprise annual", "recurring", "year", None, "1500", None),
    "enterprise_2y": ("enterprise", "Insight Cloud", "Enterprise biennial", "recurring", "year", 2, "2800", None),
    # Null list price: every item on it carries a negotiated unit_price.
    "enterprise_custom": ("enterprise", "Insight Cloud", "Enterprise custom", "recurring", "year", None, None, None),
    "support_m": (None, "Priority Support", "Priority Support monthly", "recurring", "month", None, "49", None),
    "support_y": (None, "Priority Support", "Priority Support annual", "recurring", "year", None, "490", None),
    "sandbox_w": (None, "Insight Sandbox", "Sandbox environment weekly", "recurring", "week", None, "15", None),
    "daypass_d": (None, "Insight Live", "Event day pass", "recurring", "day", None, "12", None),
    "api_usage": (None, "Insight API", "API calls (per 1k)", "usage", "month", None, "2.00", None),
    "storage_usage": (None, "Insight Storage", "Extra storage (per GB)", "usage", "month", None, "0.25", None),
}
CURRENCY_PLANS = {ccy: tuple(CATALOG) for ccy in MAIN_CURRENCIES}
CURRENCY_PLANS["JPY"] = ("growth_m", "growth_y", "api_usage")
CURRENCY_PLANS["CHF"] = ("growth_m", "support_m")  # CHF has no fx rates at all
PRICE_FACTOR = {"USD": "1", "EUR": "0.92", "GBP": "0.79", "CAD": "1.36", "AUD": "1.52",
                "JPY": "150", "CHF": "0.88"}
UPGRADE = {"starter": "growth", "growth": "pro", "pro": "enterprise"}
DOWNGRADE = {"growth": "starter", "pro": "growth", "enterprise": "pro"}


def local_price(usd: Decimal, ccy: str) -> Decimal:
    """List prices look hand-set in every currency: whole units, yen in tens."""
    p = usd * Decimal(PRICE_FACTOR[ccy])
    if ccy == "JPY":
        return (p / 10).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 10
    if p >= 20:
        return p.quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(CENT)
    return money(p)


@dataclass
class Plan:
    plan_id: str
    key: str
    tier: str | None
    product: str
    name: str
    charge_type: str
    interval: str
    count: int | None
    price: Decimal | None
    currency: str
    created_at: datetime

    @property
    def n(self) -> int:
        return self.count or 1


# --------------------------------------------------------------------------- entities


@dataclass
class Customer:
    customer_id: str
    name: str
    email: str | None
    country: str
    segment: str | None
    currency: str
    tax_rate: Decimal
    created_at: datetime
    first_start: datetime
    rng: Rng
    kind: str = "regular"  # regular | migrated | special
    tags: list[str] = field(default_factory=list)
    is_test: bool = False
    deleted_at: datetime | None = None

    @property
    def plan_segment(self) -> str:
        return self.segment or "smb"


@dataclass
class Item:
    item_id: str
    plan: Plan
    quantity: int | None
    unit_price: Decimal | None
    discount_percent: Decimal | None
    discount_amount: Decimal | None
    valid_from: datetime
    valid_to: datetime | None = None
    closed_at: datetime | None = None
    is_main: bool = True

    @property
    def unit(self) -> Decimal:
        return self.unit_price if self.unit_price is not None else self.plan.price

    @property
    def gross(self) -> Decimal:
        return self.unit * (self.quantity if self.quantity is not None else 1)

    @property
    def net(self) -> Decimal:
        """Spec section 3 period_amount (discounts applied, floored at 0)."""
        value = self.gross * (1 - (self.discount_percent or ZERO) / HUNDRED) - (self.discount_amount or ZERO)
        return max(value, ZERO)

    def active_at(self, t: datetime) -> bool:
        return self.valid_from <= t and (self.valid_to is None or t < self.valid_to)


@dataclass
class Sub:
    sub_id: str
    customer: Customer
    created_at: datetime
    started_at: datetime | None
    interval: str
    count: int
    rng: Rng
    trial_end_at: datetime | None = None
    canceled_at: datetime | None = None
    cancel_at: datetime | None = None
    ended_at: datetime | None = None
    churn_kind: str | None = None
    items: list[Item] = field(default_factory=list)
    setup_fee: Decimal | None = None
    deleted_at: datetime | None = None
    kind: str = "main"  # main | support | sandbox | daypass | incomplete | duplicate | error

    @property
    def anchor(self) -> datetime | None:
        return self.trial_end_at or self.started_at

    @property
    def end(self) -> datetime | None:
        ends = [t for t in (self.ended_at, self.cancel_at) if t is not None]
        return min(ends) if ends else None

    @property
    def main(self) -> Item:
        return [i for i in self.items if i.is_main][-1]

    def boundary(self, k: int) -> datetime:
        a = self.anchor
        if self.interval == "day":
            return a + timedelta(days=k * self.count)
        if self.interval == "week":
            return a + timedelta(weeks=k * self.count)
        months = {"month": 1, "quarter": 3, "year": 12}[self.interval]
        return add_months(a, months * self.count * k)

    def period_index(self, t: datetime) -> int:
        k = 0
        while self.boundary(k + 1) <= t:
            k += 1
        return k

    def next_boundary_after(self, t: datetime) -> datetime:
        return self.boundary(self.period_index(t) + 1)

    @property
    def short_cycle(self) -> bool:
        return self.interval in ("day", "week") or (self.interval == "month" and self.count == 1)


@dataclass
class Line:
    line_type: str
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    discount_amount: Decimal | None = None
    plan_id: str | None = None
    subscription_id: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    line_id: str = ""
    tax_amount: Decimal | None = None


@dataclass
class Invoice:
    invoice_id: str
    customer: Customer
    subscription_id: str | None
    currency: str
    issued_at: datetime | None
    lines: list[Line]
    status: str = "paid"
    due_at: datetime | None = None
    paid_at: datetime | None = None
    updated_at: datetime | None = None
    older_open: bool = False  # an earlier 'open' version of the row was delivered too
    deleted_at: datetime | None = None


# --------------------------------------------------------------------------- the world

COUNTRIES = (  # code, currency, weight, company suffixes
    ("US", "USD", 40, ("Inc.", "LLC", "Corp.", "")),
    ("GB", "GBP", 12, ("Ltd", "PLC", "")),
    ("DE", "EUR", 8, ("GmbH", "AG")),
    ("FR", "EUR", 6, ("SAS", "SARL")),
    ("NL", "EUR", 4, ("B.V.",)),
    ("ES", "EUR", 3, ("S.L.",)),
    ("IE", "EUR", 2, ("Ltd",)),
    ("IT", "EUR", 2, ("S.r.l.",)),
    ("CA", "CAD", 12, ("Inc.", "Ltd", "")),
    ("AU", "AUD", 11, ("Pty Ltd", "")),
)
CURRENCY_OF = {c[0]: c[1] for c in COUNTRIES} | {"JP": "JPY", "CH": "CHF"}
SUFFIXES = {c[0]: c[3] for c in COUNTRIES} | {"JP": ("K.K.",), "CH": ("AG",)}
TAX_RATES = {
    "US": ("0", "0", "0.0625", "0.0725", "0.08875"), "GB": ("0.20",), "DE": ("0.19",),
    "FR": ("0.20",), "NL": ("0.21",), "ES": ("0.21",), "IE": ("0.23",), "IT": ("0.22",),
    "CA": ("0.13", "0.05"), "AU": ("0.10",), "JP": ("0.10",), "CH": ("0.081",),
}
NAME_A = ("Blue", "North", "Bright", "Silver", "Red", "Green", "Stone", "Swift", "Clear",
          "Iron", "Golden", "Pine", "River", "Summit", "Harbor", "Maple", "Cedar", "Atlas",
          "Nova", "Lumen", "Orbit", "Copper", "Falcon", "Quartz", "Willow", "Arctic", "Delta",
          "Echo", "Granite", "Hollow", "Juniper", "Kestrel", "Lark", "Meadow", "Oak", "Prairie")
NAME_B = ("Analytics", "Labs", "Logistics", "Health", "Foods", "Works", "Media", "Systems",
          "Retail", "Capital", "Studios", "Robotics", "Energy", "Travel", "Apparel", "Bank",
          "Insurance", "Dental", "Freight", "Bakery", "Learning", "Motors", "Pharma", "Games")
SEGMENTS = (("smb", 60), ("mid_market", 27), ("enterprise", 10), (None, 3))
SEGMENT_PLANS = {
    "smb": (("starter_m", 45), ("growth_m", 28), ("starter_y", 10), ("growth_q", 6),
            ("growth_y", 8), ("pro_m", 3)),
    "mid_market": (("growth_m", 28), ("pro_m", 15), ("growth_q", 8), ("growth_h", 10),
                   ("growth_y", 22), ("pro_y", 17)),
    "enterprise": (("enterprise_y", 45), ("enterprise_2y", 20), ("enterprise_custom", 15),
                   ("pro_y", 20)),
}
# Monthly probabilities per subscription: churn, expansion, contraction.
HAZARDS = {
    "smb": (0.034, 0.045, 0.03),
    "mid_market": (0.02, 0.06, 0.04),
    "enterprise": (0.01, 0.07, 0.04),
}
ONE_TIME_SERVICES = (
    ("Training workshop (half day)", 400, 900),
    ("Custom dashboard development", 800, 4000),
    ("Data migration service", 1200, 5000),
    ("Additional onboarding session", 150, 400),
)


class World:
    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self.plans: dict[str, Plan] = {}
        self.customers: list[Customer] = []
        self.subs: list[Sub] = []
        self.invoices: list[Invoice] = []
        self.counters = {"sub": 0, "item": 0, "inv": 0, "line": 0}

    def next_id(self, kind: str) -> str:
        self.counters[kind] += 1
        n = self.counters[kind]
        return {"sub": f"sub_{n:05d}", "item": f"si_{n:06d}", "inv": f"in_{n:06d}",
                "line": f"il_{n:07d}"}[kind]

    # ------------------------------------------------------------------ catalog

    def build_plans(self) -> None:
        for ccy in ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF"):
            for key in CURRENCY_PLANS[ccy]:
                tier, product, name, charge, interval, count, v1, v2 = CATALOG[key]
                for version, usd in ((1, v1), (2, v2)):
                    if version == 2 and usd is None:
                        continue
                    created = (datetime(2023, 10, 16, 9, 0) if version == 1
                               else datetime(2025, 2, 17, 9, 0))
                    if ccy == "JPY":
                        created = datetime(2024, 12, 2, 9, 0)
                    plan_id = f"pl_{key}_{ccy.lower()}_v{version}"
                    price = None if usd is None else local_price(Decimal(usd), ccy)
                    self.plans[plan_id] = Plan(plan_id, key, tier, product, name, charge, interval,
                                               count, price, ccy, created)

    def plan_for(self, key: str, ccy: str, t: datetime) -> Plan | None:
        """The plan a new item on `key` gets at time t (new prices after the change)."""
        v2 = self.plans.get(f"pl_{key}_{ccy.lower()}_v2")
        if v2 is not None and t >= PRICE_CHANGE_AT:
            return v2
        return self.plans.get(f"pl_{key}_{ccy.lower()}_v1")

    # ------------------------------------------------------------------ customers

    def build_customers(self) -> None:
        rng = self.rng
        starts: list[tuple[datetime, str]] = []
        # A cohort migrated from the previous billing system on go-live day.
        starts += [(HISTORY_START, "migrated")] * 45
        # Sign-ups accelerate over the three years (the business is growing).
        months = [add_months(HISTORY_START, i) for i in range(37)]
        weights = [1 + 0.05 * i for i in range(37)]
        weights[-1] *= 0.75  # November 2026 is only three weeks old
        for _ in range(242):
            first = rng.weighted(list(zip(months, weights)))
            starts.append((random_time_in_month(rng, first, EXPORT_AT - timedelta(hours=8)), "regular"))
        # Hand-placed customers billed in currencies with late or no fx rates.
        starts += [(datetime(2024, 5, 14, 10, 12, 0), "special:CH"),
                   (datetime(2025, 1, 20, 3, 30, 0), "special:JP"),
                   (datetime(2025, 9, 10, 2, 45, 0), "special:JP")]
        starts.sort(key=lambda s: s[0])  # stable: ties keep their generation order
        for n, (start, kind) in enumerate(starts, start=1):
            crng = rng.child()
            if kind.startswith("special:"):
                country = kind.split(":")[1]
                segment = "mid_market"
                kind = "special"
            else:
                country = crng.weighted([(c[0], c[2]) for c in COUNTRIES])
                segment = crng.weighted(list(SEGMENTS))
            name = f"{crng.choice(NAME_A)} {crng.choice(NAME_B)}"
            suffix = crng.choice(SUFFIXES[country])
            full_name = f"{name} {suffix}".strip()
            email = None if crng.chance(0.08) else f"billing@{name.lower().replace(' ', '')}{n}.example.com"
            if kind == "migrated":
                created = datetime(2021, 1, 4) + timedelta(days=crng.randint(0, 1000), seconds=crng.randint(0, 86399))
            else:
                created = start - timedelta(days=crng.randint(0, 20), seconds=crng.randint(60, 36000))
            self.customers.append(Customer(
                customer_id=f"cus_{n:04d}", name=full_name, email=email, country=country,
                segment=segment, currency=CURRENCY_OF[country],
                tax_rate=Decimal(crng.choice(TAX_RATES[country])), created_at=created,
                first_start=start, rng=crng, kind=kind))
        # A few names that need CSV quoting.
        self.customers[40].name = "Smith, Jones & Partners LLP"
        self.customers[77].name = 'The "Good" Bakery Ltd'
        self.customers[120].name = "O'Brien Freight Ltd"
        self.assign_tags()

    def assign_tags(self) -> None:
        """Give chosen customers a scenario, so rare cases exist whatever the dice say."""
        rng = self.rng
        regular = [c for c in self.customers if c.kind == "regular"]

        def pick(tag: str, n: int, cond) -> None:
            pool = [c for c in regular if not c.tags and cond(c)]
            for _ in range(n):
                c = pool.pop(int(rng.random() * len(pool)))
                c.tags.append(tag)

        def started(lo: tuple, hi: tuple):
            return lambda c: datetime(*lo) <= c.first_start < datetime(*hi)

        pick("test", 4, started((2023, 11, 2), (2026, 6, 1)))
        pick("becomes_test", 1, started((2024, 1, 1), (2025, 6, 1)))
        pick("deleted", 3, started((2023, 11, 2), (2025, 6, 1)))
        pick("restored", 1, started((2024, 1, 1), (2025, 6, 1)))
        pick("never_started_only", 2, started((2024, 3, 1), (2026, 10, 1)))
        pick("promo_100", 1, started((2024, 2, 1), (2025, 12, 1)))
        pick("amount_over_price", 1, started((2024, 1, 1), (2025, 6, 1)))
        pick("daily_pass", 3, started((2023, 11, 2), (2026, 6, 1)))
        pick("weekly_sandbox", 5, started((2023, 11, 2), (2026, 3, 1)))
        pick("trial_future", 3, started((2026, 11, 1), (2026, 12, 1)))
        pick("trial_no_convert", 2, started((2024, 1, 1), (2026, 9, 1)))
        # Renewal anniversaries of these (trial included) fall in 2027.
        pick("scheduled_cancel_2027", 2, lambda c: c.first_start.year in (2024, 2025)
             and c.first_start.month <= 9)
        pick("cancel_at_past", 2, started((2023, 11, 2), (2025, 6, 1)))
        pick("cancel_reverted", 2, started((2023, 11, 2), (2026, 6, 1)))
        pick("reactivate", 4, started((2023, 11, 2), (2025, 1, 1)))
        # Seasonal businesses (schools, event organisers) pause and come back.
        pick("seasonal", 8, started((2023, 11, 2), (2024, 9, 1)))
        for c in self.customers:
            if "test" in c.tags or "becomes_test" in c.tags:
                c.is_test = True
                c.name = rng.choice(("QA Internal", "Sales Demo Account", "Test Customer - do not bill",
                                     "Load test tenant", "Staging smoke test")) + f" {c.customer_id[-3:]}"
                c.email = f"qa+{c.customer_id}@insightcloud.example.com"
            if {"promo_100", "amount_over_price"} & set(c.tags):
                c.segment = "smb"
            if {"scheduled_cancel_2027"} & set(c.tags):
                c.segment = "mid_market"

    # ------------------------------------------------------------------ subscriptions

    def new_item(self, sub: Sub, plan: Plan, quantity, valid_from: datetime, *, unit_price=None,
                 discount_percent=None, discount_amount=None, is_main=True) -> Item:
        item = Item(self.next_id("item"), plan, quantity, unit_price, discount_percent, discount_amount,
                    valid_from, is_main=is_main)
        sub.items.append(item)
        return item

    def change(self, sub: Sub, t: datetime, **changes) -> Item:
        """Close the main item at t and open its next version (upgrade, seats, discount...)."""
        cur = sub.main
        cur.valid_to = cur.closed_at = t
        values = {"plan": cur.plan, "quantity": cur.quantity, "unit_price": cur.unit_price,
                  "discount_percent": cur.discount_percent, "discount_amount": cur.discount_amount}
        values.update(changes)
        return self.new_item(sub, values.pop("plan"), values.pop("quantity"), t, **values)

    def open_subscription(self, cust: Customer, start: datetime, plan: Plan, quantity, *,
                          trial_days: int = 0, kind: str = "main") -> Sub:
        rng = cust.rng
        created = start - timedelta(minutes=rng.randint(1, 45))
        if start == HISTORY_START:
            created = datetime(2023, 10, 25) + timedelta(minutes=rng.randint(0, 6000))
        sub = Sub(self.next_id("sub"), cust, created, start, plan.interval, plan.n, rng.child(), kind=kind)
        if trial_days:
            sub.trial_end_at = start + timedelta(days=trial_days)
        self.subs.append(sub)
        unit_price = None
        if plan.price is None:  # negotiated-only plan
            unit_price = local_price(Decimal(rng.randint(900, 1400)), cust.currency)
        elif plan.tier == "enterprise" and rng.chance(0.6):
            unit_price = money(plan.price * Decimal(rng.randint(70, 95)) / HUNDRED)
        elif rng.chance(0.04):  # a grandfathered or negotiated rate
            unit_price = money(plan.price * Decimal("0.8"))
        self.new_item(sub, plan, quantity, start, unit_price=unit_price)
        return sub

    def initial_quantity(self, rng: Rng, tier: str | None):
        if tier == "starter":
            return rng.weighted([(None, 60), (1, 25), (2, 10), (3, 5)])
        if tier == "growth":
            return rng.randint(2, 12)
        if tier == "pro":
            return rng.randint(3, 30)
        if tier == "enterprise":
            return rng.randint(10, 60)
        return None

    def start_main(self, cust: Customer, start: datetime, reactivation: bool = False) -> Sub:
        rng, seg, tags = cust.rng, cust.plan_segment, cust.tags
        options = [(k, w) for k, w in SEGMENT_PLANS[seg] if k in CURRENCY_PLANS[cust.currency]]
        key = rng.weighted(options)
        if {"amount_over_price", "promo_100", "cancel_at_past", "seasonal"} & set(tags):
            key = "starter_m" if "amount_over_price" in tags or seg == "smb" else "growth_m"
        if "scheduled_cancel_2027" in tags:
            key = "growth_y"
        if cust.kind == "special":
            key = "growth_y" if cust.first_start.year == 2025 and cust.first_start.month == 9 else "growth_m"
        plan = self.plan_for(key, cust.currency, start)
        quantity = self.initial_quantity(rng, plan.tier)
        if "amount_over_price" in tags:
            quantity = None
        trial_days = 0
        if not reactivation and start != HISTORY_START and cust.kind != "special":
            if seg == "smb" and rng.chance(0.35):
                trial_days = 14
            elif seg == "mid_market" and rng.chance(0.2):
                trial_days = 30
        if {"trial_future", "trial_no_convert"} & set(tags):
            trial_days = 30 if "trial_future" in tags else 14
        sub = self.open_subscription(cust, start, plan, quantity, trial_days=trial_days)
        if plan.tier == "enterprise" or (seg == "mid_market" and rng.chance(0.15)):
            sub.setup_fee = local_price(Decimal(rng.choice((500, 1500, 2500, 5000))), cust.currency)
        main = sub.main
        # Promotions: a percent discount for the first periods, then a new item
        # version without it (the discount "expires" exactly at a renewal).
        promo_periods = None
        if "promo_100" in tags:
            main.discount_percent, promo_periods = Decimal("100"), 2
        elif "amount_over_price" in tags:
            # More than the price: the period amount floors at 0.
            main.discount_amount, promo_periods = local_price(Decimal(40), cust.currency), 3
        elif rng.chance(0.16) and not reactivation:
            main.discount_percent = Decimal(rng.choice(("10", "15", "20", "25", "50", "12.5")))
            # Promotions run 3-12 months: count periods accordingly.
            if sub.interval == "quarter":
                promo_periods = rng.choice((1, 2, 4))
            elif sub.interval == "month" and sub.count == 1:
                promo_periods = rng.choice((3, 6, 12))
            else:
                promo_periods = 1
        elif rng.chance(0.05):
            main.discount_amount = money(main.gross * Decimal("0.1"))  # a standing credit
        # Metered add-on on the same subscription: never MRR, invoiced in arrears.
        if plan.interval == "month" and plan.n == 1 and plan.tier in ("growth", "pro") and rng.chance(0.3):
            usage = self.plan_for("api_usage", cust.currency, start)
            if usage is not None:
                self.new_item(sub, usage, None, start, is_main=False)
        if plan.interval == "year" and rng.chance(0.2) and "storage_usage" in CURRENCY_PLANS[cust.currency]:
            self.new_item(sub, self.plan_for("storage_usage", cust.currency, start), None, start, is_main=False)
        self.run_lifecycle(sub, promo_periods)
        return sub

    def run_lifecycle(self, sub: Sub, promo_periods: int | None) -> None:
        """Walk the subscription month by month: trial outcome, promo expiry, churn, changes."""
        cust, rng, tags = sub.customer, sub.rng, sub.customer.tags
        churn_p, expand_p, contract_p = HAZARDS[cust.plan_segment]
        if sub.kind != "main":
            churn_p, expand_p, contract_p = churn_p / 2, 0.0, 0.0
        if sub.trial_end_at is not None and sub.trial_end_at <= EXPORT_AT:
            # Scenario customers keep their trial outcome fixed (they need the
            # subscription that follows).
            if "trial_no_convert" in tags or (not tags and rng.chance(0.15)):
                # Trial abandoned: ends at (or before) trial end, never any MRR.
                if rng.chance(0.5):
                    sub.ended_at = sub.trial_end_at
                    sub.canceled_at = sub.trial_end_at - timedelta(days=rng.randint(1, 5), minutes=rng.randint(1, 600))
                else:
                    sub.ended_at = sub.canceled_at = sub.started_at + timedelta(days=rng.randint(2, 9),
                                                                                  minutes=rng.randint(1, 600))
                sub.churn_kind = "trial"
                return
        anchor = sub.anchor
        promo_end = sub.boundary(promo_periods) if promo_periods else None
        forced = self.forced_events(sub)
        month = month_start(anchor)
        while month <= EXPORT_AT:
            nxt = add_months(month, 1)
            if promo_end is not None and month <= promo_end < nxt:
                cur = sub.main
                # An upgrade may already have dropped the promotion.
                if promo_end <= EXPORT_AT and promo_end > cur.valid_from and (
                        cur.discount_percent is not None or cur.discount_amount is not None):
                    self.change(sub, promo_end, discount_percent=None, discount_amount=None)
                promo_end = None
            event = forced.get((month.year, month.month))
            if event is None:
                r = rng.random()
                if r < churn_p:
                    event = ("churn", event_time(rng, month))
                elif r < churn_p + expand_p:
                    event = ("expand", event_time(rng, month))
                elif r < churn_p + expand_p + contract_p:
                    event = ("contract", event_time(rng, month))
            if event is not None:
                kind, t = event
                if self.no_churn(sub) and kind == "churn":
                    kind = "expand"
                lower = max(anchor, sub.main.valid_from)
                if kind == "contract" and not sub.short_cycle:
                    t = sub.next_boundary_after(t)  # long terms shrink only at renewal
                if lower < t <= EXPORT_AT:
                    if kind == "churn":
                        self.churn(sub, t)
                        return
                    if kind == "expand":
                        self.expand(sub, t)
                    else:
                        self.contract(sub, t)
            month = nxt
        self.finish_open(sub)

    def no_churn(self, sub: Sub) -> bool:
        """Scenario subscriptions must survive random churn to show their case."""
        if sub.kind != "main":
            return False
        if sub.customer.kind == "special":
            return sub.customer.country != "CH"
        keep = ("scheduled_cancel_2027", "cancel_reverted", "promo_100", "amount_over_price")
        return any(tag in sub.customer.tags for tag in keep)

    def forced_events(self, sub: Sub) -> dict:
        """Events that scenarios need, keyed by (year, month)."""
        cust, rng, tags = sub.customer, sub.rng, sub.customer.tags
        out = {}
        if sub.kind != "main":
            return out
        if cust.country == "CH":
            # No CHF rates exist at all: everything it is billed is rejected, so
            # it only stays a few months (a few rows, not an audit flood).
            t = datetime(2024, 9, 12, 15, 40)
            out[(t.year, t.month)] = ("churn", t)
        if cust.kind == "special" and cust.first_start.year == 2025 and cust.first_start.month == 1:
            # First JPY item predates JPY rates (rejected); a seat change at
            # midnight on 1 June 2025 opens an item that can be converted.
            out[(2025, 6)] = ("expand", datetime(2025, 6, 1))
        is_first = sub is self.first_main(cust)
        if "reactivate" in tags and is_first:
            t = add_months(month_start(sub.anchor), rng.randint(5, 10)).replace(day=rng.randint(3, 25), hour=14)
            out[(t.year, t.month)] = ("churn", t)
        if "seasonal" in tags:
            t = add_months(month_start(sub.anchor), rng.randint(3, 8)).replace(day=rng.randint(3, 25), hour=16)
            out[(t.year, t.month)] = ("churn", t)
        if "cancel_at_past" in tags and is_first:
            t = add_months(month_start(sub.anchor), rng.randint(6, 12)).replace(day=rng.randint(3, 25), hour=11)
            out[(t.year, t.month)] = ("churn", t)
        return out

    def first_main(self, cust: Customer) -> Sub | None:
        for s in self.subs:
            if s.customer is cust and s.kind == "main" and s.started_at is not None:
                return s
        return None

    def churn(self, sub: Sub, t: datetime) -> None:
        rng, tags = sub.rng, sub.customer.tags
        kind = "period_end"
        if sub.short_cycle:
            kind = rng.weighted([("immediate", 40), ("period_end", 45), ("nonpayment", 15)])
        if ("reactivate" in tags and sub is self.first_main(sub.customer)) or "seasonal" in tags:
            kind = "immediate"
        if "cancel_at_past" in tags:
            kind = "period_end"
        sub.churn_kind = kind
        sub.canceled_at = t
        if kind in ("immediate", "nonpayment"):
            sub.ended_at = t
        else:
            sub.cancel_at = sub.next_boundary_after(t)
            # Usually the system also stamps ended_at when cancel_at passes; some
            # exports leave it empty (cancel_at in the past alone ends it).
            if sub.cancel_at <= EXPORT_AT and "cancel_at_past" not in tags and rng.chance(0.85):
                sub.ended_at = sub.cancel_at
        if sub.ended_at is not None and rng.chance(0.3):
            sub.main.valid_to = sub.main.closed_at = sub.ended_at

    def finish_open(self, sub: Sub) -> None:
        """Subscriptions still running at the export: maybe a scheduled cancellation."""
        rng, tags = sub.rng, sub.customer.tags
        if sub.kind != "main" or sub.anchor > EXPORT_AT:
            return
        if "scheduled_cancel_2027" in tags:
            sub.canceled_at = datetime(2026, 11, rng.randint(2, 20), rng.randint(8, 18), rng.randint(0, 59))
            sub.cancel_at = sub.next_boundary_after(EXPORT_AT)
            sub.churn_kind = "scheduled"
        elif "cancel_reverted" in tags:
            # Cancellation requested, then withdrawn: canceled_at stays behind,
            # but with no cancel_at/ended_at nothing ends (informational only).
            sub.canceled_at = EXPORT_AT - timedelta(days=rng.randint(20, 200), minutes=rng.randint(1, 900))
        elif rng.chance(0.05) and sub.main.valid_from < EXPORT_AT - timedelta(days=30):
            sub.canceled_at = EXPORT_AT - timedelta(days=rng.randint(1, 20), minutes=rng.randint(1, 900))
            sub.cancel_at = sub.next_boundary_after(EXPORT_AT)
            sub.churn_kind = "scheduled"

    def expand(self, sub: Sub, t: datetime) -> None:
        cur, rng, ccy = sub.main, sub.rng, sub.customer.currency
        target = UPGRADE.get(cur.plan.tier or "")
        suffix = cur.plan.key.split("_", 1)[1]
        new_plan = self.plan_for(f"{target}_{suffix}", ccy, t) if target else None
        if new_plan is not None and new_plan.price is not None and rng.chance(0.3):
            qty = max(cur.quantity or 1, self.initial_quantity(rng, new_plan.tier) or 1)
            if new_plan.tier == "growth":
                qty = max(cur.quantity or 1, 2)
            self.change(sub, t, plan=new_plan, quantity=qty, unit_price=None, discount_percent=None)
        else:
            q = cur.quantity or 1
            self.change(sub, t, quantity=q + rng.randint(1, max(1, q // 4)))

    def contract(self, sub: Sub, t: datetime) -> None:
        cur, rng, ccy = sub.main, sub.rng, sub.customer.currency
        q = cur.quantity or 1
        target = DOWNGRADE.get(cur.plan.tier or "")
        suffix = cur.plan.key.split("_", 1)[1]
        new_plan = self.plan_for(f"{target}_{suffix}", ccy, t) if target else None
        if q >= 3 and (new_plan is None or rng.chance(0.7)):
            self.change(sub, t, quantity=q - rng.randint(1, max(1, q // 4)))
        elif new_plan is not None and new_plan.price is not None:
            qty = None if new_plan.tier == "starter" else q
            self.change(sub, t, plan=new_plan, quantity=qty, unit_price=None, discount_percent=None)
        elif q == 2:
            self.change(sub, t, quantity=1)

    def end_with(self, sub: Sub, parent: Sub) -> None:
        """A secondary subscription ends with the customer's main one."""
        if parent.end is None or parent.end <= sub.started_at:
            return
        if sub.end is not None and sub.end <= parent.end:
            return
        sub.canceled_at, sub.cancel_at, sub.ended_at = parent.canceled_at, parent.cancel_at, parent.ended_at
        sub.churn_kind = parent.churn_kind

    def simulate_customer(self, cust: Customer) -> None:
        rng, tags = cust.rng, cust.tags
        start = cust.first_start
        if "never_started_only" in tags or (cust.kind == "regular" and rng.chance(0.03)):
            self.incomplete_subscription(cust, start - timedelta(days=rng.randint(0, 3), hours=2))
            if "never_started_only" in tags:
                return
        tenure = 0
        while start <= EXPORT_AT:
            main = self.start_main(cust, start, reactivation=tenure > 0)
            if tenure == 0:
                self.add_secondaries(cust, main)
            tenure += 1
            if main.ended_at is None or main.churn_kind == "trial":
                break
            seasonal = "seasonal" in tags
            if not ("reactivate" in tags and tenure == 1) and not seasonal and not rng.chance(0.4):
                break
            # Reactivation: back months later with a brand-new subscription.
            gap = rng.randint(25, 100) if seasonal else rng.randint(40, 270)
            start = month_start(main.ended_at + timedelta(days=gap))
            start = random_time_in_month(rng, start, EXPORT_AT - timedelta(days=2))
        if "daily_pass" in tags:
            self.day_pass(cust)

    def add_secondaries(self, cust: Customer, main: Sub) -> None:
        rng, seg = cust.rng, cust.plan_segment
        anchor = main.anchor
        horizon = min(main.end or EXPORT_AT, EXPORT_AT) - timedelta(days=2)
        if main.churn_kind == "trial" or anchor >= horizon:
            return
        if rng.chance({"smb": 0.05, "mid_market": 0.18, "enterprise": 0.3}[seg]):
            start = anchor + timedelta(days=rng.randint(20, 500), minutes=rng.randint(0, 900))
            key = "support_m" if main.short_cycle else "support_y"
            plan = self.plan_for(key, cust.currency, start)
            if start < horizon and plan is not None:
                sub = self.open_subscription(cust, start, plan, None, kind="support")
                self.run_lifecycle(sub, None)
                self.end_with(sub, main)
        if "weekly_sandbox" in cust.tags or (seg != "smb" and rng.chance(0.02)):
            start = anchor + timedelta(days=rng.randint(10, 300), minutes=rng.randint(0, 900))
            plan = self.plan_for("sandbox_w", cust.currency, start)
            if start < horizon and plan is not None:
                sub = self.open_subscription(cust, start, plan, rng.randint(1, 3), kind="sandbox")
                weeks = rng.randint(6, 60)
                end = start + timedelta(weeks=weeks, hours=rng.randint(1, 50))
                if end <= EXPORT_AT:
                    sub.ended_at = sub.canceled_at = end
                    sub.churn_kind = "immediate"
                self.end_with(sub, main)

    def day_pass(self, cust: Customer) -> None:
        """Event passes billed per day; one is running at the export."""
        rng = cust.rng
        n_passes = sum(1 for s in self.subs if s.kind == "daypass")
        if n_passes == 0:
            start = datetime(2026, 10, 20, 8, 0)
            days = None
        else:
            start = cust.first_start + timedelta(days=rng.randint(20, 200), hours=rng.randint(1, 9))
            days = rng.randint(25, 70)
        if start > EXPORT_AT - timedelta(days=3):
            start = EXPORT_AT - timedelta(days=40)
        plan = self.plan_for("daypass_d", cust.currency, start)
        sub = self.open_subscription(cust, start, plan, rng.randint(1, 4), kind="daypass")
        if days is not None and start + timedelta(days=days) <= EXPORT_AT:
            sub.ended_at = sub.canceled_at = start + timedelta(days=days)
            sub.churn_kind = "immediate"

    def incomplete_subscription(self, cust: Customer, created: datetime) -> None:
        """Checkout abandoned: the subscription never started (started_at null)."""
        rng = cust.rng
        plan = self.plan_for(rng.choice(("starter_m", "growth_m")), cust.currency, created)
        sub = Sub(self.next_id("sub"), cust, created, None, plan.interval, plan.n, rng.child(), kind="incomplete")
        self.subs.append(sub)
        self.new_item(sub, plan, self.initial_quantity(rng, plan.tier), created)

    # ------------------------------------------------------------------ invoices

    def item_line(self, sub: Sub, item: Item, ps: datetime, pe: datetime) -> Line:
        qty = item.quantity if item.quantity is not None else 1
        gross = money(item.gross)
        discount = money(gross - item.net) if item.net != item.gross else None
        seats = f" ({qty} seats)" if item.quantity is not None and item.quantity > 1 else ""
        return Line("subscription", f"{item.plan.name}{seats}", gross, quantity=Decimal(qty),
                    discount_amount=discount, plan_id=item.plan.plan_id, subscription_id=sub.sub_id,
                    period_start=ps, period_end=pe)

    def invoice_subscription(self, sub: Sub) -> None:
        cust, rng = sub.customer, sub.rng
        if sub.started_at is None:
            # The checkout invoice of a never-started subscription was voided.
            item = sub.items[0]
            end = add_months(sub.created_at, 1)
            inv = self.add_invoice(cust, sub.sub_id, sub.created_at, [self.item_line(sub, item, sub.created_at, end)],
                                   allow_void=False)
            inv.status, inv.paid_at, inv.older_open = "void", None, True
            inv.updated_at = sub.created_at + timedelta(days=1)
            return
        anchor = sub.anchor
        end = sub.end
        limit = min(end, EXPORT_AT + DRAFT_HORIZON) if end else EXPORT_AT + DRAFT_HORIZON
        recurring = [i for i in sub.items if i.plan.charge_type == "recurring"]
        usage = [i for i in sub.items if i.plan.charge_type == "usage"]
        k = 0
        while True:
            ps, pe = sub.boundary(k), sub.boundary(k + 1)
            if ps >= limit:
                break
            lines = [self.item_line(sub, i, ps, pe) for i in recurring if i.active_at(ps)]
            if k > 0:  # metered usage is billed in arrears for the period just ended
                prev = sub.boundary(k - 1)
                for u in usage:
                    if u.active_at(prev):
                        qty = Decimal(rng.randint(20, 3000)) / 10
                        lines.append(Line("usage", f"{u.plan.name}: {qty}k units", money(qty * u.plan.price),
                                          quantity=qty, plan_id=u.plan.plan_id, subscription_id=sub.sub_id,
                                          period_start=prev, period_end=ps))
            if k == 0 and sub.setup_fee:
                lines.append(Line("setup", "Onboarding and account setup", sub.setup_fee, quantity=Decimal(1),
                                  subscription_id=sub.sub_id))
            if ps <= EXPORT_AT and rng.chance(0.02):
                name, lo, hi = rng.choice(ONE_TIME_SERVICES)
                lines.append(Line("one_time", name, local_price(Decimal(rng.randint(lo, hi)), cust.currency),
                                  quantity=Decimal(1), subscription_id=sub.sub_id))
            if lines:
                self.add_invoice(cust, sub.sub_id, ps, lines)
            if ps > EXPORT_AT:
                break  # only the next upcoming invoice exists (as a draft)
            k += 1
        # Mid-period plan changes are prorated on an invoice issued at once:
        # a credit for the unused part of the old item, a charge for the new one.
        mains = [i for i in recurring if i.is_main]
        for old, new in zip(mains, mains[1:]):
            tc = new.valid_from
            if old.valid_to != tc or tc <= anchor or tc >= limit or tc > EXPORT_AT:
                continue
            idx = sub.period_index(tc)
            ps, pe = sub.boundary(idx), sub.boundary(idx + 1)
            if ps == tc:
                continue
            frac = Decimal(int((pe - tc).total_seconds())) / Decimal(int((pe - ps).total_seconds()))
            day = tc.strftime("%Y-%m-%d")
            lines = []
            credit = money(old.net * frac)
            charge = money(new.net * frac)
            if credit:
                lines.append(Line("proration", f"Unused time on {old.plan.name} after {day}", -credit,
                                  quantity=item_quantity(old), plan_id=old.plan.plan_id, subscription_id=sub.sub_id,
                                  period_start=tc, period_end=pe))
            if charge:
                lines.append(Line("proration", f"Remaining time on {new.plan.name} after {day}", charge,
                                  quantity=item_quantity(new), plan_id=new.plan.plan_id, subscription_id=sub.sub_id,
                                  period_start=tc, period_end=pe))
            if lines:
                self.add_invoice(cust, sub.sub_id, tc, lines)
        # Some immediate cancellations refund the unused part of the period.
        if sub.churn_kind == "immediate" and sub.ended_at and sub.ended_at > anchor and rng.chance(0.35):
            tc = sub.ended_at
            idx = sub.period_index(tc)
            ps, pe = sub.boundary(idx), sub.boundary(idx + 1)
            last = [i for i in recurring if i.active_at(ps) or i.valid_to == tc]
            if ps != tc and last:
                frac = Decimal(int((pe - tc).total_seconds())) / Decimal(int((pe - ps).total_seconds()))
                credit = money(last[-1].net * frac)
                if credit:
                    self.add_invoice(cust, sub.sub_id, tc, [Line(
                        "proration", f"Refund of unused time after cancellation on {tc:%Y-%m-%d}", -credit,
                        quantity=item_quantity(last[-1]), plan_id=last[-1].plan.plan_id, subscription_id=sub.sub_id,
                        period_start=tc, period_end=pe)])
        if sub.churn_kind == "nonpayment":
            # The last invoices before a non-payment cancellation were written off.
            for inv in self.invoices:
                if inv.subscription_id == sub.sub_id and inv.issued_at <= sub.ended_at \
                        and inv.issued_at > sub.ended_at - timedelta(days=62):
                    inv.status, inv.paid_at = "uncollectible", None
                    inv.updated_at = min(sub.ended_at + timedelta(days=3), EXPORT_AT)
                    inv.older_open = True

    def add_invoice(self, cust: Customer, sub_id: str | None, issued_at: datetime, lines: list[Line],
                    allow_void: bool = True) -> Invoice:
        rng = cust.rng
        inv = Invoice(self.next_id("inv"), cust, sub_id, cust.currency, issued_at, lines)
        for line in lines:
            line.line_id = self.next_id("line")
            net = line.amount - (line.discount_amount or ZERO)
            line.tax_amount = money(net * cust.tax_rate) if cust.tax_rate else None
        if issued_at > EXPORT_AT:
            # An upcoming invoice the system already drafted.
            inv.status = "draft"
            inv.updated_at = EXPORT_AT - timedelta(minutes=rng.randint(30, 900))
        else:
            terms = 30 if cust.plan_segment == "enterprise" else 14
            inv.due_at = issued_at + timedelta(days=terms)
            delay = timedelta(days=rng.weighted([(0, 40), (1, 20), (3, 15), (9, 15), (20, 7), (40, 3)]),
                              minutes=rng.randint(5, 1400))
            if issued_at + delay <= EXPORT_AT:
                inv.status, inv.paid_at = "paid", issued_at + delay
                inv.updated_at = inv.paid_at
                inv.older_open = rng.chance(0.1)  # the 'open' version was delivered too
            else:
                inv.status = "open"
                inv.updated_at = issued_at
        self.invoices.append(inv)
        if allow_void and inv.status == "paid" and rng.chance(0.012):
            # Wrong invoice voided; a corrected copy was issued two days later.
            inv.status, inv.paid_at = "void", None
            inv.updated_at = issued_at + timedelta(days=2)
            inv.older_open = True
            copies = [Line(**{**vars(line), "line_id": ""}) for line in lines]
            self.add_invoice(cust, sub_id, issued_at + timedelta(days=2, minutes=5), copies)
        return inv

    def invoice_one_time(self, cust: Customer) -> None:
        """Professional services sold outside any subscription (subscription_id null)."""
        rng = cust.rng
        for sub in [s for s in self.subs if s.customer is cust and s.kind == "main" and s.started_at]:
            end = min(sub.end or EXPORT_AT, EXPORT_AT)
            years = (end - sub.started_at).days / 365
            if rng.chance(min(0.9, 0.08 * years)):
                t = sub.started_at + timedelta(days=rng.randint(1, max(1, (end - sub.started_at).days - 1)),
                                               hours=rng.randint(1, 8))
                name, lo, hi = rng.choice(ONE_TIME_SERVICES)
                hours = Decimal(rng.randint(4, 24))
                rate = local_price(Decimal(rng.randint(lo, hi)) / hours, cust.currency)
                inv = self.add_invoice(cust, None, t, [Line("one_time", f"{name}: {hours} hours", money(rate * hours),
                                                            quantity=hours)])
                if rng.chance(0.08):
                    inv.status, inv.paid_at, inv.due_at = "draft", None, None  # never finalised
                    inv.updated_at = t + timedelta(minutes=3)
                    inv.older_open = False

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        self.build_plans()
        self.build_customers()
        for cust in self.customers:
            self.simulate_customer(cust)
        for sub in list(self.subs):
            self.invoice_subscription(sub)
        for cust in self.customers:
            self.invoice_one_time(cust)
        self.customer_lifecycle()

    def customer_lifecycle(self) -> None:
        """Soft deletes of customers, decided after their history is known."""
        for cust in self.customers:
            if "deleted" in cust.tags or "restored" in cust.tags:
                last = max([cust.created_at] + [s.created_at for s in self.subs if s.customer is cust])
                cust.deleted_at = min(EXPORT_AT, last + timedelta(days=cust.rng.randint(30, 400)))


def item_quantity(item: Item) -> Decimal:
    """Quantity as an invoice line states it (null quantity means 1)."""
    return Decimal(item.quantity if item.quantity is not None else 1)


# --------------------------------------------------------------------------- rows


class Tables:
    """Raw export rows per table, plus the edge cases layered on top of the world."""

    def __init__(self, world: World, rng: Rng) -> None:
        self.world, self.rng = world, rng
        self.rows: dict[str, list[dict]] = {t: [] for t in COLUMNS}
        self.invoices_of: dict[str, list[Invoice]] = {}
        for inv in world.invoices:
            self.invoices_of.setdefault(inv.subscription_id, []).append(inv)

    def add(self, table: str, **values) -> dict:
        row = {c: values.get(c) for c in COLUMNS[table]}
        unknown = set(values) - set(COLUMNS[table])
        assert not unknown, unknown
        self.rows[table].append(row)
        return row

    # ------------------------------------------------------------------ from the world

    def from_world(self) -> None:
        rng, w = self.rng, self.world
        for plan in w.plans.values():
            row = self.plan_row(plan)
            if rng.chance(0.08):  # an earlier delivery with a different name
                self.add("plans", **{**row, "plan_name": plan.name.upper(), "updated_at": plan.created_at
                                     - timedelta(days=3)})
        for cust in w.customers:
            self.customer_rows(cust)
        for sub in w.subs:
            self.subscription_rows(sub)
            for item in sub.items:
                self.item_rows(sub, item)
        for inv in w.invoices:
            self.invoice_rows(inv)

    def plan_row(self, plan: Plan, **over) -> dict:
        rng = self.rng
        values = dict(
            plan_id=plan.plan_id, plan_name=plan.name, product_name=plan.product,
            charge_type=messy(rng, plan.charge_type, 0.3), billing_interval=messy(rng, plan.interval, 0.3),
            billing_interval_count=plan.count, price=plan.price, currency=messy(rng, plan.currency, 0.25),
            updated_at=plan.created_at, is_deleted=False)
        values.update(over)
        return self.add("plans", **values)

    def customer_rows(self, cust: Customer) -> None:
        rng = cust.rng
        base = dict(customer_id=cust.customer_id, customer_name=cust.name, email=cust.email,
                    country_code=messy(rng, cust.country, 0.2), segment=cust.segment, is_test=cust.is_test,
                    created_at=cust.created_at, updated_at=cust.created_at, is_deleted=False)
        tags = cust.tags
        if cust.deleted_at is not None:
            if "restored" in tags:
                # Deleted by mistake and restored: the latest version is not deleted.
                self.add("customers", **{**base, "updated_at": cust.deleted_at - timedelta(days=9),
                                         "is_deleted": True})
                self.add("customers", **{**base, "updated_at": cust.deleted_at})
            else:
                self.add("customers", **{**base, "customer_id": pad(rng, cust.customer_id, 0.5)})
                self.add("customers", **{**base, "updated_at": cust.deleted_at, "is_deleted": True})
            return
        if "becomes_test" in tags:
            # Flagged as an internal account after the fact: only the latest row says so.
            self.add("customers", **{**base, "is_test": False})
            self.add("customers", **{**base, "updated_at": cust.first_start + timedelta(days=45)})
            return
        if rng.chance(0.15) and cust.first_start + timedelta(days=60) < EXPORT_AT:
            # An older version: the account was re-segmented or renamed later.
            older = {**base, "segment": rng.choice(("smb", None)) if cust.segment != "smb" else None,
                     "customer_name": cust.name.split(" ")[0] + " " + cust.name.split(" ")[1],
                     "customer_id": pad(rng, cust.customer_id, 0.3)}
            base["updated_at"] = min(EXPORT_AT, cust.first_start + timedelta(days=rng.randint(30, 700)))
            self.add("customers", **older)
        self.add("customers", **{**base, "customer_id": pad(rng, cust.customer_id, 0.02)})

    def sub_status(self, sub: Sub) -> str:
        if sub.started_at is None:
            return "incomplete"
        if sub.ended_at is not None or (sub.cancel_at is not None and sub.cancel_at <= EXPORT_AT):
            return "canceled"
        if sub.trial_end_at is not None and sub.trial_end_at > EXPORT_AT:
            return "trialing"
        for inv in self.invoices_of.get(sub.sub_id, []):
            if inv.status == "open" and inv.due_at < EXPORT_AT:
                return "past_due"
        return "active"

    def subscription_rows(self, sub: Sub) -> None:
        rng = sub.rng
        events = [sub.created_at, sub.canceled_at]
        events += [t for t in (sub.trial_end_at, sub.ended_at) if t is not None and t <= EXPORT_AT]
        updated = max(t for t in events if t is not None)
        row = dict(subscription_id=sub.sub_id, customer_id=pad(rng, sub.customer.customer_id, 0.02),
                   status=messy(rng, self.sub_status(sub), 0.1), created_at=sub.created_at,
                   started_at=sub.started_at, trial_end_at=sub.trial_end_at, canceled_at=sub.canceled_at,
                   cancel_at=sub.cancel_at, ended_at=sub.ended_at, updated_at=updated, is_deleted=False)
        if sub.canceled_at is not None and rng.chance(0.25):
            first = sub.started_at or sub.created_at
            if first != updated:
                self.add("subscriptions", **{**row, "status": "active", "canceled_at": None, "cancel_at": None,
                                             "ended_at": None, "updated_at": first,
                                             "subscription_id": pad(rng, sub.sub_id, 0.3)})
        elif sub.trial_end_at is not None and sub.trial_end_at <= EXPORT_AT and rng.chance(0.2):
            self.add("subscriptions", **{**row, "status": "trialing", "updated_at": sub.created_at})
        if sub.deleted_at is not None:
            self.add("subscriptions", **row)
            row = {**row, "updated_at": sub.deleted_at, "is_deleted": True, "status": "canceled"}
        self.add("subscriptions", **row)

    def item_rows(self, sub: Sub, item: Item) -> None:
        rng = sub.rng
        created = item.valid_from if sub.started_at else sub.created_at
        row = dict(subscription_item_id=item.item_id, subscription_id=pad(rng, sub.sub_id, 0.02),
                   plan_id=pad(rng, item.plan.plan_id, 0.02), quantity=item.quantity, unit_price=item.unit_price,
                   discount_percent=item.discount_percent, discount_amount=item.discount_amount,
                   valid_from=item.valid_from, valid_to=item.valid_to, updated_at=item.closed_at or created,
                   is_deleted=False)
        if item.valid_to is not None and rng.chance(0.15):
            # The row as first delivered, before the item was closed.
            self.add("subscription_items", **{**row, "valid_to": None, "updated_at": created,
                                              "subscription_item_id": pad(rng, item.item_id, 0.3)})
        self.add("subscription_items", **row)

    def invoice_rows(self, inv: Invoice) -> None:
        rng = inv.customer.rng
        row = dict(invoice_id=inv.invoice_id, customer_id=pad(rng, inv.customer.customer_id, 0.02),
                   subscription_id=inv.subscription_id, status=messy(rng, inv.status, 0.12),
                   currency=messy(rng, inv.currency, 0.1), issued_at=inv.issued_at, due_at=inv.due_at,
                   paid_at=inv.paid_at, updated_at=inv.updated_at, is_deleted=False)
        if inv.older_open and inv.issued_at is not None and inv.issued_at != inv.updated_at:
            self.add("invoices", **{**row, "status": "open", "paid_at": None, "updated_at": inv.issued_at})
        if inv.deleted_at is not None:
            self.add("invoices", **row)
            row = {**row, "updated_at": inv.deleted_at, "is_deleted": True}
        self.add("invoices", **row)
        created = inv.issued_at if inv.status != "draft" and inv.issued_at else inv.updated_at
        for line in inv.lines:
            lrow = dict(invoice_line_id=line.line_id, invoice_id=pad(rng, inv.invoice_id, 0.02),
                        subscription_id=line.subscription_id, plan_id=line.plan_id,
                        line_type=messy(rng, line.line_type, 0.1),
                        description=line.description, quantity=line.quantity, amount=line.amount,
                        discount_amount=line.discount_amount, tax_amount=line.tax_amount,
                        period_start=line.period_start, period_end=line.period_end, updated_at=created)
            if created + timedelta(hours=6) <= EXPORT_AT and rng.chance(0.01):
                # Tax recalculated after the first delivery: an older, different version.
                self.add("invoice_lines", **{**lrow, "tax_amount": None if lrow["tax_amount"] else
                                             money(line.amount * Decimal("0.2"))})
                lrow["updated_at"] = created + timedelta(hours=6)
            self.add("invoice_lines", **lrow)

    # ------------------------------------------------------------------ edge cases

    def good_subs(self) -> list[Sub]:
        """Valid monthly USD subscriptions of counted customers, to hang bad rows on."""
        out = []
        for s in self.world.subs:
            c = s.customer
            if (s.kind == "main" and s.started_at is not None and c.kind == "regular" and not c.tags
                    and c.currency == "USD" and s.interval == "month" and s.count == 1
                    and s.anchor < EXPORT_AT - timedelta(days=150)
                    and (s.end is None or s.end > s.anchor + timedelta(days=120))):
                out.append(s)
        return out

    def good_invoices(self) -> list[Invoice]:
        good = {s.sub_id for s in self.good_subs()}
        return [i for i in self.world.invoices if i.subscription_id in good and i.status == "paid"
                and i.deleted_at is None and i.lines]

    def take(self, pool: list):
        return pool.pop(int(self.rng.random() * len(pool)))

    def world_mutations(self) -> None:
        """Edge cases that alter generated objects (before they become rows)."""
        w = self.world
        invoices = self.good_invoices()
        # Invoices with a status outside the spec's list, and one without issue date.
        for status in ("refunded", "Pending"):
            self.take(invoices).status = status
        for _ in range(2):
            self.take(invoices).issued_at = None
        # Duplicate subscriptions from an import bug, later soft deleted (their
        # items remain in the export and must go with them).
        subs = self.good_subs()
        for _ in range(2):
            orig = self.take(subs)
            dup = Sub(w.next_id("sub"), orig.customer, orig.created_at + timedelta(minutes=1), orig.started_at,
                      orig.interval, orig.count, orig.rng, trial_end_at=orig.trial_end_at, kind="duplicate")
            dup.deleted_at = orig.anchor + timedelta(days=self.rng.randint(3, 40))
            for item in orig.items[:2]:
                w.new_item(dup, item.plan, item.quantity, item.valid_from, unit_price=item.unit_price)
            w.subs.append(dup)
        # A subscription created in error and deleted the same day.
        orig = self.take(subs)
        dup = Sub(w.next_id("sub"), orig.customer, orig.anchor + timedelta(days=30), None, "month", 1, orig.rng,
                  kind="error")
        dup.deleted_at = dup.created_at + timedelta(hours=3)
        w.new_item(dup, orig.items[0].plan, 3, dup.created_at)
        w.subs.append(dup)
        # Invoices generated twice by a sync bug; the copies were soft deleted.
        for _ in range(3):
            orig = self.take(invoices)
            copy = Invoice(w.next_id("inv"), orig.customer, orig.subscription_id, orig.currency,
                           orig.issued_at + timedelta(minutes=2),
                           [Line(**{**vars(line), "line_id": w.next_id("line")}) for line in orig.lines],
                           status="open", due_at=orig.due_at, updated_at=orig.issued_at + timedelta(minutes=2))
            copy.deleted_at = orig.issued_at + timedelta(days=1)
            w.invoices.append(copy)

    def add_edge_rows(self) -> None:
        """Invalid rows of every kind in docs/decisions.md, plus deleted/test oddities."""
        rng, w = self.rng, self.world
        subs = self.good_subs()
        usd = lambda key: w.plan_for(key, "USD", HISTORY_START).plan_id  # noqa: E731

        def item(sub_id, plan_id, valid_from, item_id="new", **kw):
            values = dict(subscription_item_id=w.next_id("item") if item_id == "new" else item_id,
                          subscription_id=sub_id,
                          plan_id=plan_id, quantity=1, valid_from=valid_from,
                          updated_at=valid_from or datetime(2025, 5, 5, 12), is_deleted=False)
            values.update(kw)
            return self.add("subscription_items", **values)

        def on_sub():
            if not subs:  # more bad rows than subscriptions: start reusing them
                subs.extend(self.good_subs())
            s = self.take(subs)
            return s, s.anchor + timedelta(days=rng.randint(20, 90), hours=rng.randint(1, 8))

        # ---- customers: rows whose key is missing (null, blank)
        for cid in (None, "  "):
            self.add("customers", customer_id=cid, customer_name="Unmatched CRM import", email=None,
                     country_code="US", segment="smb", is_test=False, created_at=datetime(2025, 2, 3, 8, 0),
                     updated_at=datetime(2025, 2, 3, 8, 0), is_deleted=False)

        # ---- plans: invalid codes and amounts; each also gets an item (plan rejected)
        bad_plans = [
            ("pl_legacy_seat_usd_v1", dict(charge_type="licensed", billing_interval="month", price=Decimal("39.00"))),
            ("pl_addon_pack_usd_v1", dict(charge_type="One-Off", billing_interval="month", price=Decimal("99.00"))),
            ("pl_sandbox_2w_usd_v1", dict(charge_type="recurring", billing_interval="fortnight",
                                          price=Decimal("25.00"))),
            ("pl_support_bm_usd_v1", dict(charge_type="recurring", billing_interval="Bi-Monthly",
                                          price=Decimal("90.00"))),
            ("pl_growth_m0_usd_v1", dict(charge_type="recurring", billing_interval="month",
                                         billing_interval_count=0, price=Decimal("59.00"))),
            ("pl_growth_mneg_usd_v1", dict(charge_type="recurring", billing_interval="year",
                                           billing_interval_count=-1, price=Decimal("590.00"))),
            ("pl_credit_pack_usd_v1", dict(charge_type="recurring", billing_interval="month", price=Decimal("-50.00"))),
            ("pl_refund_fee_usd_v1", dict(charge_type="usage", billing_interval="month", price=Decimal("-0.50"))),
        ]
        for plan_id, kw in bad_plans:
            self.add("plans", plan_id=plan_id, plan_name=plan_id[3:-7].replace("_", " ").capitalize(),
                     product_name="Insight Cloud", currency="USD", updated_at=datetime(2024, 2, 5, 9, 0),
                     is_deleted=False, **kw)
            s, t = on_sub()
            item(s.sub_id, plan_id, t)
        for key in (None, "   "):
            self.add("plans", plan_id=key, plan_name="Unnamed import row", product_name="Insight Cloud",
                     charge_type="recurring", billing_interval="month", price=Decimal("10.00"), currency="USD",
                     updated_at=datetime(2024, 7, 1, 4, 0), is_deleted=False)
        # A free beta plan, deleted after the beta: its items go with it.
        beta = "pl_beta_free_usd_v1"
        self.add("plans", plan_id=beta, plan_name="Beta programme (free)", product_name="Insight Cloud",
                 charge_type="recurring", billing_interval="month", price=Decimal("0.00"), currency="USD",
                 updated_at=datetime(2023, 10, 5, 9, 0), is_deleted=False)
        self.add("plans", plan_id=beta, plan_name="Beta programme (free)", product_name="Insight Cloud",
                 charge_type="recurring", billing_interval="month", price=Decimal("0.00"), currency="USD",
                 updated_at=datetime(2024, 4, 2, 9, 0), is_deleted=True)
        migrated = [s for s in w.subs if s.customer.kind == "migrated" and s.kind == "main"
                    and not s.customer.tags and s.started_at == HISTORY_START]
        for s in migrated[:3]:
            item(s.sub_id, beta, HISTORY_START, quantity=5, valid_to=datetime(2024, 2, 1),
                 updated_at=datetime(2024, 2, 1))
        # A legacy plan deleted while nothing used it.
        self.add("plans", plan_id="pl_legacy_pro_m_usd_v0", plan_name="Pro monthly (2022)",
                 product_name="Insight Cloud", charge_type="recurring", billing_interval="month", price=Decimal("99.00"), currency="USD",
                 updated_at=datetime(2024, 1, 15, 9, 0), is_deleted=True)

        # ---- subscriptions whose customer does not exist; their items are rejected too
        orphans = []
        for n, (cid, start) in enumerate((("cus_9001", datetime(2024, 9, 3, 10, 0)),
                                           (" cus_9002", datetime(2025, 6, 17, 16, 20))), start=1):
            sid = f"sub_9000{n}"
            self.add("subscriptions", subscription_id=sid, customer_id=cid, status="active",
                     created_at=start, started_at=start, updated_at=start, is_deleted=False)
            item(sid, usd("growth_m"), start, quantity=4)
            orphans.append((cid, sid, start))
        for sid in (None, " "):
            self.add("subscriptions", subscription_id=sid, customer_id=subs[0].customer.customer_id, status="active",
                     created_at=datetime(2025, 3, 3, 9), started_at=datetime(2025, 3, 3, 9),
                     updated_at=datetime(2025, 3, 3, 9), is_deleted=False)

        # ---- items: two of each invalid kind, hung on valid subscriptions (an
        # add-on next to the valid main item, so the customer keeps its MRR)
        support = usd("support_m")
        invalid_items = (
            dict(unit_price=Decimal("-49.00")), dict(unit_price=Decimal("-0.01")),
            dict(quantity=-2), dict(quantity=-1),
            dict(discount_amount=Decimal("-10.00")), dict(discount_amount=Decimal("-4.90")),
            dict(discount_percent=Decimal("150")), dict(discount_percent=Decimal("-5")),
            dict(valid_from=None), dict(valid_from=None),
            dict(valid_to=-30), dict(valid_to=-1),
            dict(plan_id="pl_platinum_m_usd_v1"), dict(plan_id=" pl_growth_m_usd_v9"),
            dict(item_id=None), dict(item_id="   "),
        )
        for kw in invalid_items:
            s, t = on_sub()
            kw = dict(kw)
            plan_id = kw.pop("plan_id", support)
            valid_from = kw.pop("valid_from", t)
            if "valid_to" in kw:  # ends before it starts
                kw["valid_to"] = t + timedelta(days=kw["valid_to"])
                kw["updated_at"] = t + timedelta(days=1)
            if valid_from is None:
                kw["updated_at"] = t
            item(s.sub_id, plan_id, valid_from, **kw)
        item("sub_99999", usd("growth_m"), datetime(2025, 8, 1), quantity=3)
        item("sub_0042", usd("starter_m"), datetime(2024, 4, 9, 13, 5))
        # Soft-deleted items: a seat item entered twice by mistake, then deleted.
        for _ in range(3):
            s, t = on_sub()
            main = s.items[0]
            row = item(s.sub_id, main.plan.plan_id, t, quantity=main.quantity)
            self.add("subscription_items", **{**row, "updated_at": t + timedelta(hours=5), "is_deleted": True})
        # Test customers are excluded before validation: this bad item is
        # "test customer", not rejected.
        test_sub = next(x for x in w.subs if x.customer.is_test and x.started_at and x.kind == "main")
        item(test_sub.sub_id, test_sub.items[0].plan.plan_id, test_sub.anchor + timedelta(days=3), quantity=-1)

        # ---- invoices of unknown customers (rejected) and their lines (invoice rejected)
        for cid, sid, start in orphans:
            for k in range(2):
                issued = add_months(start, k)
                iid = w.next_id("inv")
                self.add("invoices", invoice_id=iid, customer_id=cid, subscription_id=sid, status="paid",
                         currency="USD", issued_at=issued, due_at=issued + timedelta(days=14),
                         paid_at=issued + timedelta(days=1), updated_at=issued + timedelta(days=1), is_deleted=False)
                self.add("invoice_lines", invoice_line_id=w.next_id("line"), invoice_id=iid, subscription_id=sid,
                         plan_id=usd("growth_m"), line_type="subscription", description="Growth monthly (4 seats)",
                         quantity=Decimal(4), amount=Decimal("236.00"), period_start=issued,
                         period_end=add_months(issued, 1), updated_at=issued)
        cid = subs[1].customer.customer_id
        for key in (None, "  "):
            issued = datetime(2025, 10, 7, 11, 0)
            self.add("invoices", invoice_id=key, customer_id=cid, status="open", currency="USD", issued_at=issued,
                     due_at=issued + timedelta(days=14), updated_at=issued, is_deleted=False)
        # A deleted customer's invoice with a bad status is excluded, not rejected.
        gone = next(c for c in w.customers if "deleted" in c.tags)
        issued = gone.first_start + timedelta(days=33)
        iid = w.next_id("inv")
        self.add("invoices", invoice_id=iid, customer_id=gone.customer_id, status="refunded", currency=gone.currency,
                 issued_at=issued, updated_at=issued, is_deleted=False)

        # ---- invoice lines: invalid lines on otherwise valid invoices
        invoices = self.good_invoices()

        def line(inv, **kw):
            values = dict(invoice_line_id=w.next_id("line"), invoice_id=inv.invoice_id,
                          subscription_id=inv.subscription_id, quantity=Decimal(1), updated_at=inv.issued_at)
            values.update(kw)
            return self.add("invoice_lines", **values)

        line(self.take(invoices), line_type="discount", description="Loyalty discount", amount=Decimal("-20.00"))
        line(self.take(invoices), line_type="Credit_Note", description="Goodwill credit", amount=Decimal("-35.00"))
        line(self.take(invoices), line_type="one_time", description="Returned hardware token", quantity=Decimal(-1),
             amount=Decimal("45.00"))
        line(self.take(invoices), line_type="usage", description="API calls (per 1k): -3.5k units",
             quantity=Decimal("-3.5"), amount=Decimal("7.00"))
        line(self.take(invoices), line_type="one_time", description="Training workshop (half day)",
             amount=Decimal("400.00"), discount_amount=Decimal("-5.00"))
        line(self.take(invoices), line_type="setup", description="Onboarding and account setup",
             amount=Decimal("500.00"), discount_amount=Decimal("-50.00"))
        for key in (None, " "):
            line(self.take(invoices), invoice_line_id=key, line_type="one_time", description="Unlabelled charge",
                 amount=Decimal("15.00"))
        for iid in ("in_999999", "in_00001"):
            self.add("invoice_lines", invoice_line_id=w.next_id("line"), invoice_id=iid, line_type="usage",
                     description="API calls (per 1k): 120.0k units", quantity=Decimal("120.0"),
                     amount=Decimal("240.00"), updated_at=datetime(2025, 12, 1, 0, 5))

        # ---- fx rates: bad feed values and an incomplete key
        fx = self.rows["fx_rates"]

        def find(d, a, b):
            return next(r for r in fx if r["rate_date"] == d and r["from_currency"] == a and r["to_currency"] == b)

        find(date(2024, 6, 12), "EUR", "USD")["rate"] = Decimal("0")
        find(date(2025, 8, 19), "CAD", "USD")["rate"] = Decimal("-0.73120000")
        for d, a, b in ((date(2025, 3, 14), "GBP", "USD"), (date(2026, 2, 4), "USD", "EUR")):
            conflict = find(d, a, b)
            self.add("fx_rates", **{**conflict, "rate": conflict["rate"] + Decimal("0.01500000")})
        self.add("fx_rates", rate_date=None, from_currency="AUD", to_currency="USD", rate=Decimal("0.65000000"))
        self.add("fx_rates", rate_date=date(2025, 1, 6), from_currency="EUR", to_currency=None,
                 rate=Decimal("1.03000000"))
        self.add("fx_rates", rate_date=date(2025, 1, 6), from_currency="  ", to_currency="USD",
                 rate=Decimal("1.03000000"))

    def messy_fx_codes(self) -> None:
        for r in self.rows["fx_rates"]:
            if r["from_currency"] and r["to_currency"] and self.rng.chance(0.004):
                r["from_currency"] = messy(self.rng, r["from_currency"], 1.0)
            elif r["to_currency"] and self.rng.chance(0.004):
                r["to_currency"] = messy(self.rng, r["to_currency"], 1.0)

    def add_duplicates(self) -> None:
        """Identical copies, as an at-least-once loader delivers them."""
        for table, rows in self.rows.items():
            rate = 0.003 if table == "fx_rates" else 0.015
            key = KEY.get(table)
            copies = []
            for r in rows:
                if key and not (r[key] or "").strip():
                    continue
                if table == "fx_rates" and not (r["rate_date"] and (r["from_currency"] or "").strip()
                                                and (r["to_currency"] or "").strip()):
                    continue
                if self.rng.chance(rate):
                    copies.append(dict(r))
            rows.extend(copies)

    def build(self) -> dict[str, list[dict]]:
        self.world_mutations()
        self.rows["fx_rates"] = build_fx_rows(self.rng)
        self.from_world()
        self.add_edge_rows()
        self.messy_fx_codes()
        self.add_duplicates()
        self.check_versions()
        return self.rows

    def check_versions(self) -> None:
        """Two different rows may never share key and updated_at (the spec's promise)."""
        for table, key in KEY.items():
            seen: dict[tuple, dict] = {}
            for r in self.rows[table]:
                k = ((r[key] or "").strip(), fmt(r["updated_at"]))
                if k[0] and k in seen and seen[k] != r:
                    raise AssertionError(f"{table}: conflicting versions for {k}")
                seen[k] = r


# --------------------------------------------------------------------------- output


def sort_key(table: str, row: dict) -> tuple:
    if table == "fx_rates":
        return (fmt(row["rate_date"]), (row["from_currency"] or "").strip().upper(),
                (row["to_currency"] or "").strip().upper(), fmt(row["rate"]))
    return ((row[KEY[table]] or "").strip(), fmt(row["updated_at"]), tuple(fmt(v) for v in row.values()))


def write_csvs(rows: dict[str, list[dict]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table, cols in COLUMNS.items():
        ordered = sorted(rows[table], key=lambda r: sort_key(table, r))
        with open(out / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(cols)
            for r in ordered:
                writer.writerow([fmt(r[c]) for c in cols])


def generate(out: Path) -> dict[str, list[dict]]:
    rng = Rng(SEED)
    world = World(rng.child())
    world.run()
    rows = Tables(world, rng.child()).build()
    write_csvs(rows, out)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the CSV seeds")
    args = parser.parse_args()
    rows = generate(args.out)
    for table in COLUMNS:
        print(f"{table}: {len(rows[table])} rows")


if __name__ == "__main__":
    main()
