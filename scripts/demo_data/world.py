"""The simulated business: catalog and customers here; subscription lifecycles and invoicing in
their own modules, mixed into World."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .constants import EXPORT_AT, HISTORY_START, PRICE_CHANGE_AT
from .entities import Customer, Invoice, Sub
from .helpers import Rng, add_months, random_time_in_month
from .invoicing import Invoicing
from .market import (
    COUNTRIES,
    CURRENCY_OF,
    NAME_A,
    NAME_B,
    SEGMENTS,
    SUFFIXES,
    TAX_RATES,
)
from .plans import CATALOG, CURRENCY_PLANS, Plan, local_price
from .subscriptions import Subscriptions


class World(Subscriptions, Invoicing):
    """The simulated business: its plans, customers, subscriptions and invoices, as they really happened."""
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
