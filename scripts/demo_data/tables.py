"""Raw export rows per table: the world written out as the billing system delivers it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from .constants import COLUMNS, EXPORT_AT, KEY
from .edge_cases import EdgeCases
from .entities import Customer, Invoice, Item, Sub
from .fx import build_fx_rows
from .helpers import Rng, fmt, messy, money, pad
from .plans import Plan
from .world import World


class Tables(EdgeCases):
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


    def build(self) -> dict[str, list[dict]]:
        self.world_mutations()
        self.rows["fx_rates"] = build_fx_rows(self.rng)
        self.from_world()
        self.add_edge_rows()
        self.messy_fx_codes()
        self.add_duplicates()
        self.add_unvalued_rows()
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
