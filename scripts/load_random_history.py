"""Load one seeded random dirty history (tests/python/reference/random_histories.py)
as the seven raw tables into a warehouse, for the portability checks.

  .venv/bin/python          load_random_history.py duckdb   SEED DB_PATH
  .venv-postgres/bin/python load_random_history.py postgres SEED   (MRR_PG_* env vars)

Spark loads through `load_spark(spark_session, seed)` from scripts/spark_check.py,
in the process that holds the Spark session. Each command prints the dbt vars of
the history (schema raw_billing, its as_of_date) as one JSON line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parents[1] / "tests" / "python")
# Only while importing: dbt imports every module named dbt_* on sys.path as a
# plugin, and tests/python holds dbt_harness (which needs duckdb).
sys.path.insert(0, TESTS)
from reference.random_histories import TABLE_COLUMNS, generate  # noqa: E402

sys.path.remove(TESTS)

SCHEMA = "raw_billing"
_BATCH = 500


def history(seed: int):
    return generate(seed)


def rows_of(tables: dict, table: str) -> list[tuple]:
    columns = TABLE_COLUMNS[table]
    return [tuple(row.get(name) for name in columns) for row in tables.get(table, [])]


def load_duckdb(db_path: str, seed: int, schema: str = SCHEMA) -> dict:
    sys.path.insert(0, TESTS)
    from dbt_harness import write_raw_tables

    h = history(seed)
    write_raw_tables(Path(db_path), h.tables, schema)
    return h.variables()


def load_postgres(seed: int, schema: str = SCHEMA) -> dict:
    from psycopg2.extras import execute_values

    from pg_connection import connect

    h = history(seed)
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute(f"create schema if not exists {schema}")
        for table, columns in TABLE_COLUMNS.items():
            ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
            cur.execute(f"drop table if exists {schema}.{table}")
            cur.execute(f"create table {schema}.{table} ({ddl})")
            rows = rows_of(h.tables, table)
            if rows:
                execute_values(cur, f"insert into {schema}.{table} values %s", rows, page_size=_BATCH)
    conn.close()
    return h.variables()


def spark_type(sql_type: str) -> str:
    # Spark has no unbounded varchar: its text type is `string`.
    return "string" if sql_type == "varchar" else sql_type.replace(" ", "")


def load_spark(spark, seed: int, schema: str = SCHEMA, file_format: str = "parquet") -> dict:
    h = history(seed)
    spark.sql(f"create database if not exists {schema}")
    for table, columns in TABLE_COLUMNS.items():
        ddl = ", ".join(f"{name} {spark_type(sql_type)}" for name, sql_type in columns.items())
        frame = spark.createDataFrame(rows_of(h.tables, table), schema=ddl)
        frame.write.format(file_format).mode("overwrite").saveAsTable(f"{schema}.{table}")
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
