"""Invoices and lines for every subscription period and one-time charge (part of World)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .constants import DRAFT_HORIZON, EXPORT_AT, ZERO
from .entities import Customer, Invoice, Item, Line, Sub
from .helpers import add_months, money
from .market import ONE_TIME_SERVICES
from .plans import local_price


class Invoicing:
    """World methods that invoice what the subscriptions did."""

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


def item_quantity(item: Item) -> Decimal:
    """Quantity as an invoice line states it (null quantity means 1)."""
    return Decimal(item.quantity if item.quantity is not None else 1)
