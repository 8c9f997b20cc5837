"""Compare the MRR marts built on Postgres and on DuckDB, row by row.

  <pg venv python>   compare_marts.py export-pg   DIR   (needs psycopg2; MRR_PG_* env vars)
  <duck venv python> compare_marts.py export-duck DIR   (needs duckdb; MRR_DUCKDB_PATH)
  python3            compare_marts.py compare PG_DIR DUCK_DIR
"""
import csv
import os
import sys
from decimal import Decimal

TABLES = {  # table -> key columns (rows must be unique on them)
    "fct_mrr": ["month", "customer_id"],
    "fct_mrr_movements": ["month"],
    "fct_churn": ["month"],
    "fct_revenue": ["month"],
    "fct_mrr_by_plan": ["month", "customer_id", "plan_id"],
    "fct_cohort_retention": ["cohort_month", "month"],
    "audit_rejected_records": None,  # no key (unkeyed records repeat): compared as a multiset
    "fct_mrr_reconciliation": None,
    "dim_customers": None,
    "audit_raw_row_accounting": None,
}
TOL = Decimal("0.000001")


def dump(cur, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for table in TABLES:
        cur.execute(f"select * from {table}")
        cols = [d[0] for d in cur.description]
        with open(os.path.join(out_dir, table + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for row in cur.fetchall():
                w.writerow(["\\N" if v is None else str(v) for v in row])


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        cols = next(r)
        return cols, [dict(zip(cols, row)) for row in r]


def as_number(v):
    try:
        return Decimal(v)
    except Exception:
        return None


def compare(pg_dir, duck_dir):
    ok = True
    for table, keys in TABLES.items():
        pg_cols, pg_rows = load(os.path.join(pg_dir, table + ".csv"))
        dk_cols, dk_rows = load(os.path.join(duck_dir, table + ".csv"))
        problems = []
        if keys is None:
            from collections import Counter
            def norm(v):
                n = as_number(v)
                return v if n is None else str(n.normalize()) if n else "0"
            pg_bag = Counter(tuple(norm(r[c]) for c in pg_cols) for r in pg_rows)
            dk_bag = Counter(tuple(norm(r.get(c)) for c in pg_cols) for r in dk_rows)
            if pg_cols != dk_cols:
                problems.append(f"columns differ: pg={pg_cols} duck={dk_cols}")
            problems += [f"only in postgres: {r} x{n}" for r, n in sorted((pg_bag - dk_bag).items())]
            problems += [f"only in duckdb: {r} x{n}" for r, n in sorted((dk_bag - pg_bag).items())]
            print(f"{'OK ' if not problems else 'DIFF'} {table}: postgres {len(pg_rows)} rows, "
                  f"duckdb {len(dk_rows)} rows, {sum((pg_bag & dk_bag).values())} identical")
            for p in problems[:20]:
                print("     ", p)
            ok &= not problems
            continue
        if pg_cols != dk_cols:
            problems.append(f"columns differ: pg={pg_cols} duck={dk_cols}")
        pg = {tuple(r[k] for k in keys): r for r in pg_rows}
        dk = {tuple(r[k] for k in keys): r for r in dk_rows}
        if len(pg) != len(pg_rows) or len(dk) != len(dk_rows):
            problems.append("key not unique")
        for k in sorted(set(pg) - set(dk)):
            problems.append(f"only in postgres: {k}")
        for k in sorted(set(dk) - set(pg)):
            problems.append(f"only in duckdb: {k}")
        exact, max_diff = 0, Decimal(0)
        for k in sorted(set(pg) & set(dk)):
            row_exact = True
            for c in pg_cols:
                a, b = pg[k][c], dk[k].get(c)
                if a == b:
                    continue
                na, nb = as_number(a), as_number(b)
                if na is not None and nb is not None:
                    diff = abs(na - nb)
                    max_diff = max(max_diff, diff)
                    if diff == 0:
                        continue
                    row_exact = False
                    if diff <= TOL:
                        continue
                problems.append(f"{k} {c}: postgres={a} duckdb={b}")
            exact += row_exact
        status = "OK " if not problems else "DIFF"
        print(f"{status} {table}: postgres {len(pg_rows)} rows, duckdb {len(dk_rows)} rows, "
              f"{exact} numerically identical, max |diff| {max_diff}")
        for p in problems[:20]:
            print("     ", p)
        ok &= not problems
    return ok


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "export-pg":
        import psycopg2
        conn = psycopg2.connect(
            host=os.environ.get("MRR_PG_HOST", "127.0.0.1"), port=int(os.environ.get("MRR_PG_PORT", "5432")),
            user=os.environ.get("MRR_PG_USER", "postgres"), password=os.environ.get("MRR_PG_PASSWORD", ""),
            dbname=os.environ.get("MRR_PG_DATABASE", "mrr"),
            options="-c search_path=" + os.environ.get("MRR_PG_SCHEMA", "analytics"))
        dump(conn.cursor(), sys.argv[2])
    elif mode == "export-duck":
        import duckdb
        dump(duckdb.connect(os.environ["MRR_DUCKDB_PATH"], read_only=True).cursor(), sys.argv[2])
    elif mode == "compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
