"""Print a month-by-month MRR summary from the marts that `make run` built.

Usage: python scripts/summary.py PATH_TO_DUCKDB [--months N]
"""
import argparse
import sys
from pathlib import Path

import duckdb

QUERY = """
select
    movements.month,
    movements.closing_mrr,
    movements.net_new_mrr,
    movements.closing_customers,
    churn.logo_churn_rate,
    movements.arpa,
    revenue.total_revenue
from main.fct_mrr_movements as movements
inner join main.fct_churn as churn
    on movements.month = churn.month
left join main.fct_revenue as revenue
    on movements.month = revenue.month
order by movements.month
"""


def money(value):
    return "" if value is None else f"{value:,.2f}"


def percent(value):
    return "" if value is None else f"{value * 100:.1f}%"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database")
    parser.add_argument("--months", type=int, default=24, help="how many recent months to show")
    args = parser.parse_args()

    path = Path(args.database).resolve()
    if not path.exists():
        sys.exit(f"No DuckDB file at {path}: run `make run` first.")
    # Read-only: this may be the published database dashboards read.
    connection = duckdb.connect(str(path), read_only=True)
    rows = connection.execute(QUERY).fetchall()
    rejected = connection.execute(
        "select count(*) from main.audit_rejected_records"
    ).fetchone()[0]
    if not rows:
        print("No month with MRR in the reporting window.")
        return

    header = ("month", "MRR", "net new MRR", "customers", "logo churn", "ARPA", "total revenue")
    table = [
        (
            str(month)[:7],
            money(mrr),
            money(net_new),
            f"{customers:,}",
            percent(logo_churn),
            money(arpa),
            money(revenue),
        )
        for month, mrr, net_new, customers, logo_churn, arpa, revenue in rows[-args.months:]
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *table)]
    line = "  ".join(f"{{:>{width}}}" for width in widths)
    print(line.format(*header))
    for row in table:
        print(line.format(*row))

    month, mrr, _, customers, _, arpa, _ = rows[-1]
    print()
    print(f"MRR in {str(month)[:7]}: {money(mrr)} from {customers:,} customers (ARPA {money(arpa)}).")
    print(f"Rejected raw records: {rejected:,} (see main.audit_rejected_records).")
    print(f"Results: {path} (schema main: fct_mrr, fct_mrr_movements, fct_churn, fct_revenue, dim_customers).")


if __name__ == "__main__":
    main()
