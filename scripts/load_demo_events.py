"""The demo history told as subscription events, loaded into DuckDB and
PostgreSQL alike, for the portability check of billing_source: events.

  .venv-postgres/bin/python load_demo_events.py DEMO_DB EVENTS_DB   (MRR_PG_* env vars)

Reads the demo's kept records from DEMO_DB (a DuckDB build of the demo: seeds and
base models), tells them as events (mrr_tools.events_from_native, as
scripts/demo_events.py does) and writes the same rows twice: the table
events.subscription_events plus the demo's fx_rates in schema raw_billing of the
DuckDB file EVENTS_DB, and the same two tables in schemas events and
raw_events_fx of the MRR_PG_* database. Prints the dbt vars of each build as two
JSON lines, DuckDB's first.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from mrr_tools.event_tables import EVENTS_SCHEMA, event_columns, write_events_duckdb
from mrr_tools.events_from_native import convert
from mrr_tools.raw_loading import RAW_SCHEMA, write_duckdb, write_postgres
from mrr_tools.raw_tables import raw_tables

AS_OF = "2026-11-24"  # the demo's export day (Makefile DEMO_AS_OF_DATE)
SEED_SCHEMA = "main_billing_raw"  # where `dbt seed` puts the demo data on DuckDB
PG_FX_SCHEMA = "raw_events_fx"  # apart from raw_billing, which the random history fills
BASE = {"customers": "base_billing__customers", "plans": "base_billing__plans",
        "subscriptions": "base_billing__subscriptions", "subscription_items": "base_billing__subscription_items"}


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def clean_records(demo_db: str) -> dict:
    """The demo's kept records, read from the native base models."""
    con = duckdb.connect(demo_db, read_only=True)
    try:
        tables = {table: _rows(con, f"select * from main.{model} where exclusion_reason is null "
                                    "and rejection_reason is null")
                  for table, model in BASE.items()}
        for row in tables["customers"]:
            row.setdefault("is_test", False)
        tables["fx_rates"] = _rows(con, f"select * from {SEED_SCHEMA}.fx_rates")
        return tables
    finally:
        con.close()


def main(demo_db: str, events_db: str) -> None:
    tables = clean_records(demo_db)
    _, events = convert(tables, date.fromisoformat(AS_OF), seed=0)
    fx = {"fx_rates": tables["fx_rates"]}
    write_duckdb(Path(events_db), fx)
    write_events_duckdb(Path(events_db), events)
    write_postgres(fx, PG_FX_SCHEMA, {"fx_rates": raw_tables()["fx_rates"]})
    write_postgres({"subscription_events": events}, EVENTS_SCHEMA, {"subscription_events": event_columns()})
    common = {"billing_source": "events", "events_schema": EVENTS_SCHEMA, "as_of_date": AS_OF}
    print(json.dumps({**common, "billing_schema": RAW_SCHEMA}))
    print(json.dumps({**common, "billing_schema": PG_FX_SCHEMA}))
    print(f"{len(events)} events", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
