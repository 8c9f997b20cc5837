"""The demo's fixed clock, the raw export's columns and keys, and decimal constants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

SEED = 20261124
# The export was taken early on the demo's "today"; no event is later than this.
EXPORT_AT = datetime(2026, 11, 24, 6, 0, 0)
AS_OF = EXPORT_AT.date()
HISTORY_START = datetime(2023, 11, 1)
FX_START = date(2023, 10, 1)
# JPY rates only start here, so JPY amounts dated earlier have no fx rate.
JPY_RATES_START = date(2025, 4, 1)
# List prices rose on this day; existing subscriptions keep (grandfather) old plans.
PRICE_CHANGE_AT = datetime(2025, 3, 1)
# Upcoming invoices this close to the export exist as drafts.
DRAFT_HORIZON = timedelta(days=10)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "seeds" / "billing"

COLUMNS = {
    "customers": [
        "customer_id", "customer_name", "email", "country_code", "segment",
        "is_test", "created_at", "updated_at", "is_deleted",
    ],
    "plans": [
        "plan_id", "plan_name", "product_name", "charge_type", "billing_interval",
        "billing_interval_count", "price", "currency", "updated_at", "is_deleted",
    ],
    "subscriptions": [
        "subscription_id", "customer_id", "status", "created_at", "started_at",
        "trial_end_at", "canceled_at", "cancel_at", "ended_at", "updated_at", "is_deleted",
    ],
    "subscription_items": [
        "subscription_item_id", "subscription_id", "plan_id", "quantity", "unit_price",
        "discount_percent", "discount_amount", "valid_from", "valid_to", "updated_at",
        "is_deleted",
    ],
    "invoices": [
        "invoice_id", "customer_id", "subscription_id", "status", "currency",
        "issued_at", "due_at", "paid_at", "updated_at", "is_deleted",
    ],
    "invoice_lines": [
        "invoice_line_id", "invoice_id", "subscription_id", "plan_id", "line_type",
        "description", "quantity", "amount", "discount_amount", "tax_amount",
        "period_start", "period_end", "updated_at",
    ],
    "fx_rates": ["rate_date", "from_currency", "to_currency", "rate"],
}
KEY = {
    "customers": "customer_id",
    "plans": "plan_id",
    "subscriptions": "subscription_id",
    "subscription_items": "subscription_item_id",
    "invoices": "invoice_id",
    "invoice_lines": "invoice_line_id",
}

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
