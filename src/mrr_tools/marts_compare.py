"""Compare the MRR marts built on two warehouses, row by row and exactly: each
warehouse's marts are dumped to CSV files (dump), then two dumps compared
(compare). The command line is scripts/compare_marts.py.

Values, not representations, are compared: every cell that reads as a number is
compared as an exact decimal (so Spark's `int` 3 equals DuckDB's INTEGER 3 and
1.500000 equals 1.5), everything else (text, dates, timestamps, booleans) as its
text. There is no tolerance: one differing digit fails the check.
"""
import csv
import os
from collections import Counter
from decimal import Decimal

TABLES = {  # table -> key columns (rows must be unique on them)
    "fct_mrr": ["month", "customer_id"],
    "fct_mrr_movements": ["month"],
    "fct_churn": ["month"],
    "fct_revenue": ["month"],
    "fct_mrr_by_plan": ["month", "customer_id", "plan_id"],
    "fct_cohort_retention": ["cohort_month", "month"],
    "fct_mrr_committed": ["month"],
    "fct_mrr_forecast": ["month"],
    "fct_mrr_forecast_backtest": ["forecast_month", "horizon_months"],
    "fct_mrr_growth": ["month"],
    "fct_mrr_at_risk": ["customer_id"],
    "fct_monthly_metrics": ["month", "metric"],
    "audit_rejected_records": None,  # no key (unkeyed records repeat): compared as a multiset
    "fct_mrr_reconciliation": None,
    "dim_customers": None,
    "audit_raw_row_accounting": None,
}


def dump(cur, out_dir, tables=TABLES):
    os.makedirs(out_dir, exist_ok=True)
    for table in tables:
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


def cell(v):
    n = as_number(v)
    return v if n is None else (n.normalize() if n else Decimal(0))


def compare(dir_a, dir_b, name_a="postgres", name_b="duckdb", tables=TABLES):
    ok, compared = True, 0
    for table, keys in tables.items():
        cols_a, rows_a = load(os.path.join(dir_a, table + ".csv"))
        cols_b, rows_b = load(os.path.join(dir_b, table + ".csv"))
        problems = []
        if cols_a != cols_b:
            problems.append(f"columns differ: {name_a}={cols_a} {name_b}={cols_b}")
        if keys is None:
            # No key (unkeyed rejected records repeat): compared as multisets of rows.
            bag_a = Counter(tuple(cell(r.get(c)) for c in cols_a) for r in rows_a)
            bag_b = Counter(tuple(cell(r.get(c)) for c in cols_a) for r in rows_b)
            problems += [f"only in {name_a}: {r} x{n}" for r, n in sorted((bag_a - bag_b).items(), key=str)]
            problems += [f"only in {name_b}: {r} x{n}" for r, n in sorted((bag_b - bag_a).items(), key=str)]
            equal = sum((bag_a & bag_b).values())
        else:
            a = {tuple(r[k] for k in keys): r for r in rows_a}
            b = {tuple(r[k] for k in keys): r for r in rows_b}
            if len(a) != len(rows_a) or len(b) != len(rows_b):
                problems.append("key not unique")
            problems += [f"only in {name_a}: {k}" for k in sorted(set(a) - set(b))]
            problems += [f"only in {name_b}: {k}" for k in sorted(set(b) - set(a))]
            equal = 0
            for k in sorted(set(a) & set(b)):
                differing = [c for c in cols_a if cell(a[k][c]) != cell(b[k].get(c))]
                problems += [f"{k} {c}: {name_a}={a[k][c]} {name_b}={b[k].get(c)}" for c in differing]
                equal += not differing
        print(f"{'OK  ' if not problems else 'DIFF'} {table}: {name_a} {len(rows_a)} rows, "
              f"{name_b} {len(rows_b)} rows, {equal} identical")
        for p in problems[:20]:
            print("     ", p)
        ok &= not problems
        compared += len(rows_a)
    print(f"{'OK' if ok else 'DIFF'}: {compared} mart rows compared, {name_a} against {name_b}, "
          f"{len(tables)} marts")
    return ok



class SparkCursor:
    """The slice of a DB-API cursor that dump uses, over a Spark session's schema."""

    def __init__(self, spark, schema):
        self.spark, self.schema, self.description, self.rows = spark, schema, None, []

    def execute(self, sql):
        frame = self.spark.sql(sql.replace(" from ", f" from {self.schema}.", 1))
        self.description = [(field.name,) for field in frame.schema.fields]
        self.rows = [tuple(row) for row in frame.collect()]

    def fetchall(self):
        return self.rows
