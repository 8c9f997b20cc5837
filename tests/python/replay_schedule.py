"""A seeded random dirty history (mrr_tools.random_histories) cut into nightly
deliveries, as a billing export would land them night after night.

``schedule(seed)`` returns the nights in order. Each night has its as_of_date, the
raw rows delivered that night, and the raw fx_rates table as it stands that night
(the FX feed has no updated_at and is re-delivered whole, corrections included).
The cumulative raw tables after night k are what a full refresh of night k reads.

The generator stamps every version within about three weeks before its export;
those timestamps are shifted by one constant so that the export falls on the
night of the history's as_of_date + 1 (version order, copies and the gaps between
versions are unchanged). Then:

  night 1  as_of - 6   every row stamped up to that night (the initial load),
                       minus a few recent rows held back (they arrive late) and a
                       few rows stamped more than a week before (they arrive weeks
                       late, as a connector's re-sync delivers them)
  night 2  as_of - 3   the next rows; rows held back from night 1 (one or two
                       days old); identical re-deliveries of rows already
                       delivered, older versions among them; a paying customer
                       flagged as a test account; an FX rate for a day that had none
  night 3  as_of       no new data (the as_of_date moves on)
  night 4  as_of + 1   the remaining rows (one night late after the empty night);
                       rows held back from night 2; the rows held back weeks (2-3
                       weeks after their updated_at: new records, older versions
                       and copies); a subscription and a customer soft deleted; a
                       paid invoice voided; an FX rate corrected in place; the test
                       flag of night 2 flipped back
  night 5  as_of + 2   one new item version stamped more than ten days before the
                       newest version already delivered

The rows of nights 4 and 5 that arrive weeks after their updated_at (`late`) are
read the night they arrive, as every row not read before.
Every event picks records whose own raw rows are all older than the newest version
delivered before the night minus LOOKBACK (none of their rows is new that night),
so only the cascades and the FX re-check can bring them up to date.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from mrr_tools.random_histories import TABLE_COLUMNS, History, generate
from mrr_tools.raw_tables import record_keys
from reference.mrr_reference import compute

# How far back the events' records are quiet (their raw rows older than the newest
# version delivered by this much), so only a cascade or the FX re-check reaches them.
LOOKBACK = timedelta(days=3)
# The rows held back from night 1 for weeks are stamped at least this long before it.
WEEKS_LATE = timedelta(days=7)
KEYS = record_keys()
VERSIONED = tuple(KEYS)


@dataclass
class Night:
    number: int
    as_of: date
    delivered: dict = field(default_factory=dict)  # table -> rows delivered this night
    fx_rates: list = field(default_factory=list)  # the whole fx table this night
    events: dict = field(default_factory=dict)  # event name -> [(table, row)] (for sensitivity checks)
    late: list = field(default_factory=list)  # [(table, row)] delivered weeks after their updated_at
    cut: datetime | None = None  # the export of this night holds versions up to here

    def describe(self) -> str:
        counts = ", ".join(f"{t} {len(r)}" for t, r in self.delivered.items() if r) or "no new rows"
        return f"night {self.number} (as_of_date {self.as_of}): {counts}; events: {', '.join(self.events) or '-'}"


def _key(row, table):
    value = row.get(KEYS[table])
    return value.strip() if isinstance(value, str) and value.strip() else None


def _winners(raw: dict, table: str) -> dict:
    best = {}
    for row in raw.get(table, []):
        key = _key(row, table)
        if key is not None and (key not in best or row["updated_at"] > best[key]["updated_at"]):
            best[key] = row
    return best


def cumulative(nights: list[Night], upto: int, without: set | None = None) -> dict:
    """The raw tables after night ``upto`` (rows whose id() is in ``without`` left out)."""
    without = without or set()
    raw = {table: [] for table in TABLE_COLUMNS}
    for night in nights:
        if night.number > upto:
            break
        for table, rows in night.delivered.items():
            raw[table].extend(row for row in rows if id(row) not in without)
        raw["fx_rates"] = [row for row in night.fx_rates if id(row) not in without]
    return raw


class _Scheduler:
    def __init__(self, history: History, seed: int):
        self.history = history
        self.seed = seed
        self.rng = random.Random(seed * 7919)
        self.as_of = history.as_of_date
        self.dates = [self.as_of - timedelta(days=6), self.as_of - timedelta(days=3), self.as_of,
                      self.as_of + timedelta(days=1), self.as_of + timedelta(days=2)]
        # Shift every updated_at so that the generator's export lands at midnight
        # before night 4's run.
        stamps = [row["updated_at"] for table in VERSIONED for row in history.tables[table]]
        shift = max(stamps) - datetime.combine(self.dates[3], time(0))
        self.rows = {table: [dict(row, updated_at=row["updated_at"] - shift) for row in history.tables[table]]
                     for table in VERSIONED}
        self.fx = [dict(row) for row in history.tables["fx_rates"]]

    # The export of night k holds the versions stamped up to midnight before its run.
    def cut(self, number: int) -> datetime:
        return datetime.combine(self.dates[number - 1], time(0))

    def held_back(self, rows, after: datetime, upto: datetime, count: int):
        """A few keyed rows stamped in (after, upto] that arrive one or two nights late."""
        candidates = [r for r in rows if after < r["updated_at"] <= upto and r.get("updated_at")]
        return self.rng.sample(candidates, min(count, len(candidates)))

    def build(self) -> list[Night]:
        cut1, cut2, cut4 = self.cut(1), self.cut(2), self.cut(4)
        nights = [Night(n, d, {t: [] for t in VERSIONED}, cut=self.cut(n)) for n, d in enumerate(self.dates, 1)]
        n1, n2, n3, n4, n5 = nights
        late1, late2 = set(), set()
        # Its own random stream, so the other picks stay those of the seed.
        weeks = random.Random(self.seed * 104729)
        weeks_late = set()
        for table in VERSIONED:
            rows = self.rows[table]
            late1.update(id(r) for r in self.held_back(rows, cut1 - timedelta(days=2), cut1, 2))
            late2.update(id(r) for r in self.held_back(rows, cut2 - timedelta(days=2), cut2, 2))
            old = [r for r in rows if r["updated_at"] <= cut1 - WEEKS_LATE]
            weeks_late.update(id(r) for r in weeks.sample(old, min(3, len(old))))
            for row in rows:
                if id(row) in weeks_late:
                    n4.delivered[table].append(row)
                elif row["updated_at"] <= cut1:
                    (n2 if id(row) in late1 else n1).delivered[table].append(row)
                elif row["updated_at"] <= cut2:
                    (n4 if id(row) in late2 else n2).delivered[table].append(row)
                else:
                    n4.delivered[table].append(row)
        n2.events["rows held back from night 1"] = [(t, r) for t in VERSIONED for r in n2.delivered[t]
                                                    if id(r) in late1]
        n4.events["rows held back from night 2"] = [(t, r) for t in VERSIONED for r in n4.delivered[t]
                                                    if id(r) in late2]
        n4.late = [(t, r) for t in VERSIONED for r in n4.delivered[t] if id(r) in weeks_late]
        n4.events["rows delivered weeks late"] = list(n4.late)
        for night in nights:
            night.fx_rates = self.fx
        self.nights = nights

        # Night 2: re-delivered copies of recent rows (older versions among them).
        recent = [(t, r) for t in VERSIONED for r in n1.delivered[t]
                  if r["updated_at"] > cut1 - LOOKBACK + timedelta(hours=6)]
        winners = {t: _winners(self.raw(1), t) for t in VERSIONED}
        older = [(t, r) for t, r in recent if _key(r, t) and winners[t][_key(r, t)] is not r]
        picked = self.rng.sample(older, min(3, len(older))) + self.rng.sample(recent, min(3, len(recent)))
        copies = [(t, dict(r)) for t, r in picked]
        self.add(n2, "re-delivered copies and older versions", copies)

        # Night 2: a paying customer becomes a test account.
        self.flagged = self.paying_customer(1, self.threshold(2))
        self.add(n2, "test flag set", [("customers", dict(self.flagged, is_test=True,
                                                          updated_at=cut2 - timedelta(hours=5)))])
        # Night 2: a rate for a day that had none.
        self.fx_gap_fill(n2)
        # Night 3: nothing. Night 4: deletes, a void, an FX correction, the flag back.
        self.night4(n4, cut4)
        late = {id(r) for _t, r in n4.late}
        assert self.changes_marts(n4, self.raw(4), self.raw(4, without=late)), (
            "the rows delivered weeks late change no mart: pick another seed")
        self.late_night(n5)
        del n3
        return nights

    def raw(self, upto: int, without=None) -> dict:
        return cumulative(self.nights, upto, without)

    def threshold(self, number: int) -> datetime:
        """The newest version delivered before night ``number`` in any table, minus
        LOOKBACK: a record whose raw rows are all older is quiet that night."""
        before = self.raw(number - 1)
        return min(max(r["updated_at"] for r in before[t]) for t in VERSIONED if before[t]) - LOOKBACK

    def quiet(self, before: datetime, busy_customers=()) -> dict:
        """Keys of records that a night re-reading from ``before`` on reaches only
        through a cascade or the FX re-check: every raw row of the record and of its
        parents, in the whole history, is older than that."""
        rows = self.rows
        old = {t: {} for t in VERSIONED}
        for table in VERSIONED:
            for row in rows[table]:
                key = _key(row, table)
                if key is not None:
                    old[table][key] = old[table].get(key, True) and row["updated_at"] < before
        wins = {t: _winners(rows, t) for t in VERSIONED}

        def parent(table, row, column, parent_table):
            return old[parent_table].get((row[column] or "").strip(), False)
        customers = {k for k, ok in old["customers"].items() if ok and k not in busy_customers}
        subs = {k for k, r in wins["subscriptions"].items()
                if old["subscriptions"][k] and (r["customer_id"] or "").strip() in customers}
        items = {k for k, r in wins["subscription_items"].items()
                 if old["subscription_items"][k] and (r["subscription_id"] or "").strip() in subs
                 and parent("subscription_items", r, "plan_id", "plans")}
        invoices = {k for k, r in wins["invoices"].items()
                    if old["invoices"][k] and (r["customer_id"] or "").strip() in customers}
        lines = {k for k, r in wins["invoice_lines"].items()
                 if old["invoice_lines"][k] and (r["invoice_id"] or "").strip() in invoices}
        return {"customers": customers, "subscriptions": subs, "subscription_items": items,
                "invoices": invoices, "invoice_lines": lines}

    def add(self, night: Night, event: str, rows):
        for table, row in rows:
            night.delivered[table].append(row)
        night.events[event] = list(rows)

    def reference(self, upto: int, as_of: date, raw=None) -> dict:
        return compute(raw or self.raw(upto), self.history.variables(as_of_date=as_of.isoformat()))

    def paying_customer(self, night: int, before: datetime, exclude=()):
        """A customer with MRR on night ``night`` whose records and their children
        are all older than ``before``: only a cascade reaches the children."""
        marts = self.reference(night, self.dates[night - 1])
        paying = {r["customer_id"] for r in marts["fct_mrr"] if r["mrr"] > 0} - set(exclude)
        quiet = self.quiet(before)
        owners = {(r["customer_id"] or "").strip() for t in ("subscriptions", "invoices")
                  for k, r in _winners(self.rows, t).items() if k in quiet[t]}
        candidates = sorted(paying & quiet["customers"] & owners)
        assert candidates, "no paying customer with only old rows: pick another seed"
        return _winners(self.raw(night), "customers")[self.rng.choice(candidates)]

    def fx_pairs_in_use(self, raw, before, busy_customers=()):
        """{(currency, day)} of the items' valid_from and the invoices' issue dates,
        for items and invoices that only the FX re-check brings up to date."""
        quiet = self.quiet(before, busy_customers)
        currency = {k: (r["currency"] or "").strip().upper() for k, r in _winners(raw, "plans").items()}
        pairs = set()
        for key, item in _winners(raw, "subscription_items").items():
            plan = (item["plan_id"] or "").strip()
            if (key in quiet["subscription_items"] and item["valid_from"]
                    and currency.get(plan) not in (None, "", "USD")):
                pairs.add((currency[plan], item["valid_from"].date()))
        for key, invoice in _winners(raw, "invoices").items():
            code = (invoice["currency"] or "").strip().upper()
            if key in quiet["invoices"] and invoice["issued_at"] and code not in ("", "USD"):
                pairs.add((code, invoice["issued_at"].date()))
        pairs = sorted(pairs)
        return self.rng.sample(pairs, len(pairs))

    def changes_marts(self, night: Night, with_raw: dict, without_raw: dict) -> bool:
        with_ = self.reference(night.number, night.as_of, with_raw)
        without = self.reference(night.number, night.as_of, without_raw)
        return any(with_[m] != without[m] for m in ("fct_mrr", "fct_revenue"))

    def fx_gap_fill(self, night: Night):
        raw = self.raw(night.number)
        dated = {(r["from_currency"].strip().upper(), r["rate_date"]) for r in self.fx
                 if r["rate_date"] and r["from_currency"] and r["from_currency"].strip()}
        busy = {_key(self.flagged, "customers")}
        for code, day in self.fx_pairs_in_use(raw, self.threshold(night.number), busy):
            earlier = [r for r in self.fx if r["rate_date"] and r["rate_date"] < day and r["from_currency"]
                       and r["from_currency"].strip().upper() == code and r["rate"] and r["rate"] > 0]
            if (code, day) in dated or not earlier:
                continue
            new = {"rate_date": day, "from_currency": code, "to_currency": "USD",
                   "rate": (max(earlier, key=lambda r: r["rate_date"])["rate"] * Decimal("1.25")).quantize(
                       Decimal("0.000001"))}
            fx = self.fx + [new]
            if self.changes_marts(night, {**raw, "fx_rates": fx}, raw):
                self.set_fx(night, fx, "FX rate for a day that had none", [("fx_rates", new)])
                return
        raise AssertionError("no FX gap to fill that changes the marts: pick another seed")

    def set_fx(self, night: Night, fx: list, event: str, rows):
        for later in self.nights[night.number - 1:]:
            later.fx_rates = fx
        self.fx = fx
        night.events[event] = list(rows)

    def fx_correction(self, night: Night):
        raw = self.raw(night.number)
        by_pair = {}
        for row in self.fx:
            if row["rate_date"] and row["from_currency"] and row["rate"] and row["rate"] > 0:
                by_pair.setdefault((row["from_currency"].strip().upper(), row["rate_date"]), []).append(row)
        for code, day in self.fx_pairs_in_use(raw, self.threshold(night.number), self.busy):
            rows = by_pair.get((code, day), [])
            if len(rows) != 1:
                continue
            corrected = dict(rows[0], rate=(rows[0]["rate"] * Decimal("0.8")).quantize(Decimal("0.000001")))
            fx = [corrected if r is rows[0] else r for r in self.fx]
            if self.changes_marts(night, {**raw, "fx_rates": fx}, raw):
                self.set_fx(night, fx, "FX rate corrected in place", [("fx_rates", corrected)])
                return
        raise AssertionError("no FX rate to correct that changes the marts: pick another seed")

    def night4(self, night: Night, cut: datetime):
        before = self.threshold(night.number)
        stamp = cut - timedelta(hours=4)
        raw = self.raw(night.number)
        customer = self.paying_customer(3, before, exclude={_key(self.flagged, "customers")})
        self.add(night, "customer soft deleted", [("customers", dict(customer, is_deleted=True, updated_at=stamp))])
        gone = _key(customer, "customers")
        flagged = _key(self.flagged, "customers")
        marts = self.reference(3, self.dates[2])
        paying = {r["customer_id"] for r in marts["fct_mrr"] if r["mrr"] > 0} - {gone, flagged}
        quiet = self.quiet(before, {gone, flagged})
        quiet_items = {(r["subscription_id"] or "").strip() for k, r in _winners(raw, "subscription_items").items()
                       if k in quiet["subscription_items"]}
        subs = [r for k, r in _winners(raw, "subscriptions").items()
                if (r["customer_id"] or "").strip() in paying and not r["is_deleted"]
                and k in quiet["subscriptions"] and k in quiet_items]
        for sub in self.rng.sample(subs, len(subs)):
            row = dict(sub, is_deleted=True, updated_at=stamp)
            if self.changes_marts(night, {**raw, "subscriptions": raw["subscriptions"] + [row]}, raw):
                self.add(night, "subscription soft deleted", [("subscriptions", row)])
                break
        else:
            raise AssertionError("no subscription whose delete changes the marts: pick another seed")
        invoices = [r for k, r in _winners(raw, "invoices").items()
                    if (r["status"] or "").strip().lower() == "paid" and not r["is_deleted"]
                    and k in quiet["invoices"]]
        for invoice in self.rng.sample(invoices, len(invoices)):
            row = dict(invoice, status="void", updated_at=stamp)
            if self.changes_marts(night, {**raw, "invoices": raw["invoices"] + [row]}, raw):
                self.add(night, "invoice voided", [("invoices", row)])
                break
        else:
            raise AssertionError("no paid invoice whose void changes the marts: pick another seed")
        self.busy = {gone, flagged, (sub["customer_id"] or "").strip()}
        self.fx_correction(night)
        self.add(night, "test flag cleared", [("customers", dict(self.flagged, is_test=False,
                                                                 updated_at=stamp + timedelta(hours=1)))])

    def late_night(self, night: Night):
        """A new version of a counting item, stamped more than ten days before the
        newest version delivered (an hour after the item's version before)."""
        raw = self.raw(4)
        # Neither the item nor its subscription, customer or plan has a row recent
        # enough to be re-read that night (a re-read parent re-reads its children).
        threshold = self.threshold(5)
        quiet = self.quiet(threshold - WEEKS_LATE, self.busy)
        marts = self.reference(4, self.dates[3])
        paying = {r["customer_id"] for r in marts["fct_mrr"] if r["mrr"] > 0}
        subs = {_key(r, "subscriptions"): (r["customer_id"] or "").strip()
                for r in _winners(raw, "subscriptions").values()}
        items = [r for k, r in _winners(raw, "subscription_items").items()
                 if subs.get((r["subscription_id"] or "").strip()) in paying and not r["is_deleted"]
                 and k in quiet["subscription_items"]]
        for item in self.rng.sample(items, len(items)):
            row = dict(item, quantity=(item["quantity"] or 1) + 5, updated_at=item["updated_at"] + timedelta(hours=1))
            with_raw = {**raw, "subscription_items": raw["subscription_items"] + [row]}
            if self.changes_marts(night, with_raw, raw):
                night.delivered["subscription_items"].append(row)
                night.late = [("subscription_items", row)]
                return
        raise AssertionError("no item whose late version changes the marts: pick another seed")


def schedule(seed: int) -> tuple[History, list[Night]]:
    history = generate(seed)
    nights = _Scheduler(history, seed).build()
    return history, nights
