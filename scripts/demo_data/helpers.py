"""The seeded random source, calendar arithmetic, money rounding and raw-value formatting."""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from .constants import CENT, EXPORT_AT


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
