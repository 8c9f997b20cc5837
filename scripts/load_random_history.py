"""Load one seeded random dirty history (src/mrr_tools/random_histories.py)
as the seven raw tables into a warehouse, for the portability checks.

  .venv/bin/python          load_random_history.py duckdb   SEED DB_PATH
  .venv-postgres/bin/python load_random_history.py postgres SEED   (MRR_PG_* env vars)

Spark loads in scripts/spark_check.py, in the process that holds the Spark
session (mrr_tools.raw_loading.write_spark). Each command prints the dbt vars
of the history (schema raw_billing, its as_of_date) as one JSON line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from mrr_tools.random_histories import generate
from mrr_tools.raw_loading import RAW_SCHEMA as SCHEMA
from mrr_tools.raw_loading import write_duckdb, write_postgres


def load_duckdb(db_path: str, seed: int, schema: str = SCHEMA) -> dict:
    h = generate(seed)
    write_duckdb(Path(db_path), h.tables, schema)
    return h.variables()


def load_postgres(seed: int, schema: str = SCHEMA) -> dict:
    h = generate(seed)
    write_postgres(h.tables, schema)
    return h.variables()


if __name__ == "__main__":
    engine, seed = sys.argv[1], int(sys.argv[2])
    if engine == "duckdb":
        variables = load_duckdb(sys.argv[3], seed)
    elif engine == "postgres":
        variables = load_postgres(seed)
    else:
        sys.exit(f"unknown engine {engine!r}: duckdb or postgres (Spark: scripts/spark_check.py)")
    print(json.dumps({"billing_schema": SCHEMA, **variables}))
