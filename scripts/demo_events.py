"""The demo history delivered as subscription events, built through the events path.

  .venv/bin/python scripts/demo_events.py [events|ga4]      (make demo-events [SHAPE=ga4])

Builds the demo's clean records natively (seeds and base models), tells them as
events (mrr_tools.events_from_native: a start, a renewal each paid period and a
cancellation per item, with copies, noise and a few rejected events), writes them
as the table `events.subscription_events` and as GA4 day tables in schema `ga4`,
then builds every mart from them with var billing_source `events` (or `ga4`) into
target/demo_events.duckdb, and prints the analysis analyses/naive_event_sum_vs_mrr.sql:
the shortcut "sum of monthly_recurring_value by event month" beside the MRR.
docs/events.md describes what the events can and cannot tell.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from mrr_tools.event_tables import write_events_duckdb
from mrr_tools.events_from_native import convert
from mrr_tools.ga4_tables import events_as_ga4, write_ga4_duckdb

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-24"  # the demo's export day (Makefile DEMO_AS_OF_DATE)
SEED_SCHEMA = "main_billing_raw"  # where `dbt seed` puts the demo data on DuckDB
DB_PATH = ROOT / "target" / "demo_events.duckdb"
BASE = {"customers": "base_billing__customers", "plans": "base_billing__plans",
        "subscriptions": "base_billing__subscriptions", "subscription_items": "base_billing__subscription_items"}


def dbt(*args: str, variables: dict) -> None:
    command = [str(Path(sys.executable).with_name("dbt")), *args, "--vars", json.dumps(variables)]
    subprocess.run(command, cwd=ROOT, check=True,
                   env={**os.environ, "MRR_DUCKDB_PATH": str(DB_PATH), "DBT_PROFILES_DIR": str(ROOT)})


def clean_records() -> dict:
    """The demo's kept records, read from the native base models."""
    con = duckdb.connect(str(DB_PATH))
    try:
        tables = {}
        for table, model in BASE.items():
            cursor = con.execute(f"select * from main.{model} where exclusion_reason is null "
                                 "and rejection_reason is null")
            names = [d[0] for d in cursor.description]
            tables[table] = [dict(zip(names, row)) for row in cursor.fetchall()]
        for row in tables["customers"]:
            row.setdefault("is_test", False)
        cursor = con.execute(f"select * from {SEED_SCHEMA}.fx_rates")
        names = [d[0] for d in cursor.description]
        tables["fx_rates"] = [dict(zip(names, row)) for row in cursor.fetchall()]
        return tables
    finally:
        con.close()


def main(shape: str) -> None:
    DB_PATH.parent.mkdir(exist_ok=True)
    for path in (DB_PATH, DB_PATH.with_name("demo_events.restricted.duckdb")):
        path.unlink(missing_ok=True)
    dbt("seed", variables={"as_of_date": AS_OF})
    dbt("run", "--select", *(f"+{model}" for model in BASE.values()), variables={"as_of_date": AS_OF})
    _, events = convert(clean_records(), date.fromisoformat(AS_OF), seed=0)
    write_events_duckdb(DB_PATH, events)
    write_ga4_duckdb(DB_PATH, events_as_ga4(events))
    variables = {"billing_source": shape, "billing_schema": SEED_SCHEMA, "as_of_date": AS_OF}
    dbt("build", "--exclude", "resource_type:seed", "resource_type:unit_test", variables=variables)
    dbt("compile", "--quiet", "--select", "naive_event_sum_vs_mrr", variables=variables)
    compiled = next((ROOT / "target" / "compiled").rglob("naive_event_sum_vs_mrr.sql")).read_text()
    con = duckdb.connect(str(DB_PATH))
    try:
        cursor = con.execute(compiled)
        names = [d[0] for d in cursor.description]
        print("\n" + " | ".join(names))
        for row in cursor.fetchall():
            print(" | ".join("" if v is None else str(v) for v in row))
    finally:
        con.close()
    print(f"\n{len(events)} events ({shape}); marts in {DB_PATH}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "events")
