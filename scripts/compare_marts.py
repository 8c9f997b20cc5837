"""Compare the MRR marts built on two warehouses, row by row and exactly
(src/mrr_tools/marts_compare.py says how values are compared).

  <pg venv python>    compare_marts.py export-pg   DIR   (needs psycopg2; MRR_PG_* env vars)
  <duck venv python>  compare_marts.py export-duck DIR   (needs duckdb; MRR_DUCKDB_PATH)
  (Spark exports from scripts/spark_check.py, through the same dump())
  .venv/bin/python    compare_marts.py compare DIR_A DIR_B [NAME_A NAME_B]
"""
import os
import sys

from mrr_tools.marts_compare import compare, dump

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "export-pg":
        from mrr_tools.pg_connection import connect
        conn = connect(options="-c search_path=" + os.environ.get("MRR_PG_SCHEMA", "analytics"))
        dump(conn.cursor(), sys.argv[2])
    elif mode == "export-duck":
        import duckdb
        dump(duckdb.connect(os.environ["MRR_DUCKDB_PATH"], read_only=True).cursor(), sys.argv[2])
    elif mode == "compare":
        sys.exit(0 if compare(*sys.argv[2:6]) else 1)
