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


FORWARD_QUERY = """
select
    forecast.month,
    forecast.committed_mrr,
    forecast.forecast_mrr,
    committed.trial_mrr
from main.fct_mrr_forecast as forecast
inner join main.fct_mrr_committed as committed
    on forecast.month = committed.month
order by forecast.month
"""

# Mean absolute percentage error of the backtested forecast, at the horizons a
# reader plans with.
MAPE_QUERY = """
select horizon_months, avg(abs_pct_error) as mape, count(abs_pct_error) as forecasts
from main.fct_mrr_forecast_backtest
where horizon_months in (1, 3, 6)
group by horizon_months
order by horizon_months
"""

AT_RISK_QUERY = """
select count(*) as customers, coalesce(sum(mrr_at_risk), 0) as mrr_at_risk
from main.fct_mrr_at_risk
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
    forward = connection.execute(FORWARD_QUERY).fetchall()
    mape = connection.execute(MAPE_QUERY).fetchall()
    at_risk_customers, at_risk_mrr = connection.execute(AT_RISK_QUERY).fetchone()
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
    print()
    print_forward(forward, mape, at_risk_customers, at_risk_mrr)
    print()
    print(f"Rejected raw records: {rejected:,} (see main.audit_rejected_records).")
    print(f"Results: {path} (schema main: fct_mrr, fct_mrr_movements, fct_churn, fct_revenue, dim_customers, "
          "fct_mrr_committed, fct_mrr_forecast, fct_mrr_forecast_backtest, fct_mrr_growth, fct_mrr_at_risk).")


def print_forward(forward, mape, at_risk_customers, at_risk_mrr):
    """The forward look: the contracted book and the baseline forecast month by month,
    how far the forecast has been off, and the MRR at risk (docs/forecasting.md)."""
    header = ("month", "committed MRR", "of it on trials", "forecast MRR")
    table = [(str(month)[:7], money(committed), money(trials), money(forecast))
             for month, committed, forecast, trials in forward]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *table)]
    line = "  ".join(f"{{:>{width}}}" for width in widths)
    print("Ahead: committed MRR (contracts as they stand) and the baseline forecast")
    print(line.format(*header))
    for row in table:
        print(line.format(*row))
    errors = {horizon: (value, count) for horizon, value, count in mape}
    print("Forecast error in the backtest (MAPE): " + ", ".join(
        f"{horizon} month{'s' if horizon > 1 else ''} ahead {percent(errors[horizon][0])}"
        f" ({errors[horizon][1]} forecasts)" if horizon in errors else f"{horizon} months ahead: none yet"
        for horizon in (1, 3, 6)) + ".")
    print(f"MRR at risk: {money(at_risk_mrr)} from {at_risk_customers:,} customers (see main.fct_mrr_at_risk).")


if __name__ == "__main__":
    main()
