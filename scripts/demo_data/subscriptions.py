"""How a customer's subscriptions start, change, churn and come back (part of World)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .constants import EXPORT_AT, HISTORY_START, HUNDRED
from .entities import Customer, Item, Sub
from .helpers import (
    Rng,
    add_months,
    event_time,
    money,
    month_start,
    random_time_in_month,
)
from .market import HAZARDS, SEGMENT_PLANS
from .plans import CURRENCY_PLANS, DOWNGRADE, UPGRADE, Plan, local_price


class Subscriptions:
    """World methods that open, change and end subscriptions and their items."""

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
