"""The demo history told as subscription events, the same rows loaded into
DuckDB and into PostgreSQL or Spark, for the portability checks of
billing_source: events.

  .venv-postgres/bin/python load_demo_events.py DEMO_DB EVENTS_DB               (MRR_PG_* env vars)
  .venv/bin/python          load_demo_events.py DEMO_DB EVENTS_DB --spark ROWS

Reads the demo's kept records from DEMO_DB (a DuckDB build of the demo: seeds and
base models), tells them as events (mrr_tools.events_from_native, as
scripts/demo_events.py does) and writes the table events.subscription_events plus
the demo's fx_rates in schema raw_billing of the DuckDB file EVENTS_DB. Then the
same two tables in schemas events and raw_events_fx of the MRR_PG_* database; or,
with --spark, the rows saved to the file ROWS, which scripts/spark_check.py writes
into its Spark session (load_spark: Spark's in-memory catalog lives only in the
process that holds the session). Prints the dbt vars of each build as two JSON
lines, DuckDB's first.
"""
from __future__ import annotations

import json
import pickle
import sys
from datetime import date
from pathlib import Path

from mrr_tools.event_tables import EVENTS_SCHEMA, event_columns, write_events_duckdb, write_events_spark
from mrr_tools.events_from_native import convert
from mrr_tools.raw_loading import RAW_SCHEMA, write_duckdb, write_postgres, write_spark
from mrr_tools.raw_tables import raw_tables

AS_OF = "2026-11-24"  # the demo's export day (Makefile DEMO_AS_OF_DATE)
SEED_SCHEMA = "main_billing_raw"  # where `dbt seed` puts the demo data on DuckDB
FX_SCHEMA = "raw_events_fx"  # on PostgreSQL and Spark: apart from raw_billing, which the random history fills
BASE = {"customers": "base_billing__customers", "plans": "base_billing__plans",
        "subscriptions": "base_billing__subscriptions", "subscription_items": "base_billing__subscription_items"}


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def clean_records(demo_db: str) -> dict:
    """The demo's kept records, read from the native base models."""
    import duckdb

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


def build_vars(fx_schema: str) -> dict:
    return {"billing_source": "events", "events_schema": EVENTS_SCHEMA, "as_of_date": AS_OF,
            "billing_schema": fx_schema}


def load_spark(spark, rows_path: Path) -> dict:
    """Write the rows a --spark run saved into the Spark session, as the same two
    tables as on PostgreSQL; returns the dbt vars of the Spark build."""
    fx, events = pickle.loads(rows_path.read_bytes())
    write_spark(spark, fx, FX_SCHEMA, {"fx_rates": raw_tables()["fx_rates"]})
    write_events_spark(spark, events)
    return build_vars(FX_SCHEMA)


def main(demo_db: str, events_db: str, spark_rows: str | None) -> None:
    tables = clean_records(demo_db)
    _, events = convert(tables, date.fromisoformat(AS_OF), seed=0)
    fx = {"fx_rates": tables["fx_rates"]}
    write_duckdb(Path(events_db), fx)
    write_events_duckdb(Path(events_db), events)
    if spark_rows:
        Path(spark_rows).write_bytes(pickle.dumps((fx, events)))
    else:
        write_postgres(fx, FX_SCHEMA, {"fx_rates": raw_tables()["fx_rates"]})
        write_postgres({"subscription_events": events}, EVENTS_SCHEMA, {"subscription_events": event_columns()})
    print(json.dumps(build_vars(RAW_SCHEMA)))
    print(json.dumps(build_vars(FX_SCHEMA)))
    print(f"{len(events)} events", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 4 and args[2] == "--spark":
        main(args[0], args[1], args[3])
    elif len(args) == 2:
        main(args[0], args[1], None)
    else:
        sys.exit(__doc__)
