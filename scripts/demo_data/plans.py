"""The plan catalog: tiers, intervals and list prices per currency, and the price change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .constants import CENT
from .fx import MAIN_CURRENCIES
from .helpers import money

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
