"""Daily fx rates: business days along a few smooth random paths."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .constants import AS_OF, FX_START, JPY_RATES_START
from .helpers import Rng

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
