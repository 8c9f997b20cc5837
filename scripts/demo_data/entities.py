"""The business objects the world simulates: customers, subscriptions, items, invoices, lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .constants import HUNDRED, ZERO
from .helpers import Rng, add_months
from .plans import Plan


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
