"""The dirt of a real export layered on the rows: invalid rows of every kind, re-delivered
versions, identical copies and messy codes (part of Tables)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from .constants import EXPORT_AT, HISTORY_START, KEY
from .entities import Invoice, Line, Sub
from .helpers import add_months, messy


class EdgeCases:
    """Tables methods that add the rows docs/decisions.md rejects or excludes."""

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
                 product_name="Insight Cloud", charge_type="recurring", billing_interval="month",
                 price=Decimal("99.00"), currency="USD",
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


    def add_unvalued_rows(self) -> None:
        """A custom-quote plan without a list price whose item has no unit_price either
        ("missing price"), and an invoice line without an amount ("missing amount").
        Added last and picked without the random stream, so every other row stays
        exactly as it was."""
        w = self.world
        quote = "pl_custom_quote_usd_v1"
        self.add("plans", plan_id=quote, plan_name="Custom quote", product_name="Insight Cloud",
                 charge_type="recurring", billing_interval="month", price=None, currency="USD",
                 updated_at=datetime(2025, 2, 3, 9, 0), is_deleted=False)
        sub = self.good_subs()[0]
        starts = sub.anchor + timedelta(days=45)
        self.add("subscription_items", subscription_item_id=w.next_id("item"), subscription_id=sub.sub_id,
                 plan_id=quote, quantity=1, valid_from=starts, updated_at=starts, is_deleted=False)
        inv = self.good_invoices()[0]
        self.add("invoice_lines", invoice_line_id=w.next_id("line"), invoice_id=inv.invoice_id,
                 subscription_id=inv.subscription_id, line_type="usage",
                 description="API calls (per 1k): amount lost in the export", quantity=Decimal(1), amount=None,
                 updated_at=inv.issued_at)

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
