"""Write raw tables (lists of dicts per table) into a warehouse with the raw
contract's column types: DuckDB, PostgreSQL or Spark."""
from __future__ import annotations

from pathlib import Path

from mrr_tools.raw_tables import raw_tables

# Where the loaders and the test harness put raw tables made in Python.
RAW_SCHEMA = "raw_billing"
_BATCH = 500


def rows_of(tables: dict, table: str, columns) -> list[tuple]:
    return [tuple(row.get(name) for name in columns) for row in tables.get(table, [])]


def write_duckdb(db_path: Path, tables: dict, schema: str = RAW_SCHEMA, table_columns: dict | None = None) -> None:
    """Create the seven raw tables with the contract's column types and load ``tables``.

    ``table_columns`` ({table: {column: type}}) replaces the contract's, for tests of
    raw tables in the wrong shape or with text columns.
    """
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {schema}")
        for table, columns in (table_columns or raw_tables()).items():
            ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
            con.execute(f"create or replace table {schema}.{table} ({ddl})")
            rows = rows_of(tables, table, columns)
            one_row = "(" + ", ".join("?" for _ in columns) + ")"
            # Multi-row VALUES: executemany on thousands of fx rows is an order slower.
            for start in range(0, len(rows), _BATCH):
                batch = rows[start:start + _BATCH]
                con.execute(f"insert into {schema}.{table} values " + ", ".join([one_row] * len(batch)),
                            [value for row in batch for value in row])
    finally:
        con.close()


def write_postgres(tables: dict, schema: str, table_columns: dict | None = None) -> None:
    """The same into schema ``schema`` of the MRR_PG_* database (``table_columns``
    as for write_duckdb)."""
    from psycopg2.extras import execute_values

    from mrr_tools.pg_connection import connect

    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute(f"create schema if not exists {schema}")
        for table, columns in (table_columns or raw_tables()).items():
            ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
            cur.execute(f"drop table if exists {schema}.{table}")
            cur.execute(f"create table {schema}.{table} ({ddl})")
            rows = rows_of(tables, table, columns)
            if rows:
                execute_values(cur, f"insert into {schema}.{table} values %s", rows, page_size=_BATCH)
    conn.close()


def spark_type(sql_type: str) -> str:
    # Spark has no unbounded varchar: its text type is `string`.
    return "string" if sql_type == "varchar" else sql_type.replace(" ", "")


def write_spark(spark, tables: dict, schema: str, table_columns: dict | None = None,
                file_format: str = "parquet") -> None:
    """The same as tables of database ``schema`` in the given Spark session
    (``table_columns`` as for write_duckdb)."""
    spark.sql(f"create database if not exists {schema}")
    for table, columns in (table_columns or raw_tables()).items():
        ddl = ", ".join(f"{name} {spark_type(sql_type)}" for name, sql_type in columns.items())
        frame = spark.createDataFrame(rows_of(tables, table, columns), schema=ddl)
        frame.write.format(file_format).mode("overwrite").saveAsTable(f"{schema}.{table}")
