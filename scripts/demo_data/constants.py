"""The demo's fixed clock, the raw export's columns and keys, and decimal constants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from mrr_tools.raw_tables import raw_tables, record_keys

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

# The raw export's tables and columns, and each versioned table's key: the raw
# contract (models/staging/billing/_billing__sources.yml, mrr_tools.raw_tables).
COLUMNS = {table: list(columns) for table, columns in raw_tables().items()}
KEY = record_keys()

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
