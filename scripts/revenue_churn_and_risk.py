"""Write the Revenue Churn and Risk dashboard: one self-contained HTML file built from the marts.

Usage:
    python scripts/revenue_churn_and_risk.py [--database PATH] [--schema main]
        [--as-of-date YYYY-MM-DD] [--currency USD] [--output target/revenue_churn_and_risk.html]

The page beside the Revenue Overview that looks forward: MRR up to as_of_date with
the contracted forward book and the baseline forecast ahead of it, how far past
forecasts were off at each horizon, the MRR at risk by reason and the customers at
risk ranked. It reads only the marts in MARTS_READ (the dbt exposure
`revenue_churn_and_risk` declares the same list) and, like the overview, opens
from disk with no server and no network.

Unlike the overview it starts from the month of as_of_date: MRR is a snapshot, and
the forward book and the forecast start from the MRR on as_of_date itself.
"""
from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go

from mrr_tools.dashboard import (
    COLOURS,
    TARGET_DIR,
    Tile,
    f,
    figures_html,
    month_label,
    page_html,
    read_marts,
    rows,
    style,
    tiles_html,
)
from mrr_tools.dashboard import main as run_page

MARTS_READ = ("fct_mrr_movements", "fct_mrr_committed", "fct_mrr_forecast", "fct_mrr_forecast_backtest",
              "fct_mrr_at_risk")
DEFAULT_OUTPUT = TARGET_DIR / "revenue_churn_and_risk.html"
TOP_CUSTOMERS = 15
# Spec 9.5's order, which is also the order of severity the page ranks by.
REASONS = ("scheduled_churn", "scheduled_downgrade", "delinquent", "overdue", "contracting")
REASON_LABELS = {"scheduled_churn": "Scheduled churn", "scheduled_downgrade": "Scheduled downgrade",
                 "delinquent": "Delinquent", "overdue": "Overdue", "contracting": "Contracting"}
REASON_COLOURS = {"scheduled_churn": COLOURS["churn"], "scheduled_downgrade": COLOURS["contraction"],
                  "delinquent": "#9d0208", "overdue": "#e9c46a", "contracting": "#9b5de5"}
MAPE_HORIZON = 3
EXTRA_CSS = """
  .table-card { background: #fff; border-radius: 8px; padding: 10px 14px; margin-top: 14px;
                box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .table-card h2 { font-size: 15px; margin: 4px 0 8px; }
  table.risk { border-collapse: collapse; width: 100%; font-size: 12px; }
  table.risk th, table.risk td { padding: 4px 8px; border-bottom: 1px solid #e6eaee; text-align: left; }
  table.risk td.num, table.risk th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .reason { display: inline-block; border-radius: 3px; padding: 0 5px; margin-right: 3px; color: #fff;
            font-size: 11px; }
"""


# --------------------------------------------------------------------------- data

def load(database: Path, schema: str) -> dict:
    return read_marts(database, schema, MARTS_READ, _queries)


def _queries(con, q: str) -> dict:
    return {
        "movements": rows(con, f"select month, closing_mrr, closing_customers from {q}.fct_mrr_movements "
                               "order by month"),
        "committed": rows(con, f"select * from {q}.fct_mrr_committed order by month"),
        "forecast": rows(con, f"select * from {q}.fct_mrr_forecast order by month"),
        "error_by_horizon": rows(con, f"""
            select horizon_months, avg(abs_pct_error) as mape, count(abs_pct_error) as forecasts
            from {q}.fct_mrr_forecast_backtest group by horizon_months order by horizon_months"""),
        "at_risk": rows(con, f"""
            select * from {q}.fct_mrr_at_risk
            order by mrr_at_risk desc, current_mrr desc, customer_id"""),
    }


def reasons_of(row: dict) -> list[str]:
    return [r for r in (row["risk_reasons"] or "").split(",") if r]


def risk_by_reason(at_risk: list[dict]) -> dict:
    """Per reason: MRR at risk with each customer counted once, under its first reason
    (the figures add up to the total), and the customers and current MRR showing the
    signal at all (they overlap)."""
    out = {r: {"at_risk": Decimal(0), "customers": 0, "current_mrr": Decimal(0)} for r in REASONS}
    for row in at_risk:
        reasons = reasons_of(row)
        if reasons:
            out[reasons[0]]["at_risk"] += row["mrr_at_risk"]
        for reason in reasons:
            out[reason]["customers"] += 1
            out[reason]["current_mrr"] += row["current_mrr"]
    return out


# --------------------------------------------------------------------------- tiles

def tiles_for(data: dict, as_of_month: date) -> list[Tile]:
    now = data["movements"][-1]["closing_mrr"]
    committed, forecast = data["committed"], data["forecast"]
    first, last = (committed[0], committed[-1]) if committed else (None, None)
    horizon = next((r for r in data["error_by_horizon"] if r["horizon_months"] == MAPE_HORIZON), None)
    total_at_risk = sum((r["mrr_at_risk"] for r in data["at_risk"]), Decimal(0))

    def tile(key, title, value, kind, note):
        return Tile(key, title, value, None, kind, note=note, compare=False)

    return [
        tile("mrr", "MRR now", now, "money", f"on as_of_date, {month_label(as_of_month)}"),
        tile("committed_next", "Committed MRR next month", first and first["closing_mrr"], "money",
             f"{month_label(first['month'])}: contracts as they stand" if first else ""),
        tile("committed_last", "Committed MRR", last and last["closing_mrr"], "money",
             f"{month_label(last['month'])}; {last['trial_mrr']:,.0f} of it from trials" if last else ""),
        tile("forecast_last", "Forecast MRR", forecast[-1]["forecast_mrr"] if forecast else None, "money",
             f"{month_label(forecast[-1]['month'])}: trend and schedule" if forecast else ""),
        tile("mape_3", f"Forecast error, {MAPE_HORIZON} months out", horizon and horizon["mape"], "percent",
             f"mean absolute % error of {horizon['forecasts']} past forecasts" if horizon else "no past forecast yet"),
        tile("mrr_at_risk", "MRR at risk", total_at_risk, "money",
             f"{len(data['at_risk'])} paying customers with a risk signal"),
    ]


# --------------------------------------------------------------------------- charts

def chart_outlook(data: dict, as_of_month: date, currency: str) -> go.Figure:
    history = data["movements"]
    anchor = history[-1]  # the forward lines start from the MRR on as_of_date
    fig = go.Figure()
    fig.add_scatter(x=[r["month"] for r in history], y=[f(r["closing_mrr"]) for r in history], name="MRR",
                    mode="lines", line={"color": COLOURS["mrr"], "width": 3}, hovertemplate="%{y:,.2f}")
    committed = [anchor] + data["committed"]
    fig.add_scatter(x=[r["month"] for r in committed], y=[f(r["closing_mrr"]) for r in committed],
                    name="Committed (contracts as they stand)", mode="lines+markers",
                    line={"color": COLOURS["new"], "width": 2, "dash": "dash"}, marker={"size": 5},
                    hovertemplate="%{y:,.2f}")
    fig.add_scatter(x=[r["month"] for r in data["committed"]], y=[f(r["trial_mrr"]) for r in data["committed"]],
                    name="of which trials not yet converted", mode="lines", fill="tozeroy",
                    line={"color": "#e9c46a", "width": 1}, fillcolor="rgba(233,196,106,0.25)",
                    hovertemplate="%{y:,.2f}")
    forecast = [{"month": anchor["month"], "forecast_mrr": anchor["closing_mrr"]}] + data["forecast"]
    fig.add_scatter(x=[r["month"] for r in forecast], y=[f(r["forecast_mrr"]) for r in forecast],
                    name="Forecast (trend and schedule)", mode="lines+markers",
                    line={"color": COLOURS["reactivation"], "width": 2, "dash": "dot"}, marker={"size": 5},
                    hovertemplate="%{y:,.2f}")
    fig.add_shape(type="line", x0=as_of_month, x1=as_of_month, y0=0, y1=1, yref="paper",
                  line={"color": "#8a98a5", "width": 1, "dash": "dot"})
    fig.add_annotation(x=as_of_month, y=1, yref="paper", text="as_of_date", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 10, "color": "#5b6b79"})
    style(fig, "MRR, the committed forward book and the forecast", currency, height=400)
    fig.update_yaxes(rangemode="tozero")
    # The last two years and the months ahead; the whole history is a zoom out away.
    start = max(history[0]["month"], date(as_of_month.year - 2, as_of_month.month, 1))
    end = data["committed"][-1]["month"] if data["committed"] else as_of_month
    fig.update_xaxes(range=[start, end])
    return fig


def chart_error_by_horizon(data: dict) -> go.Figure:
    by_horizon = [r for r in data["error_by_horizon"] if r["mape"] is not None]
    fig = go.Figure()
    fig.add_bar(x=[r["horizon_months"] for r in by_horizon], y=[f(r["mape"]) for r in by_horizon],
                name="Mean absolute % error", marker_color=COLOURS["reactivation"],
                customdata=[r["forecasts"] for r in by_horizon],
                text=[f"{r['mape'] * 100:.1f}%" for r in by_horizon], textposition="outside", cliponaxis=False,
                hovertemplate="%{x} months out: %{y:.1%} over %{customdata} past forecasts<extra></extra>")
    style(fig, "Forecast error by months ahead (MAPE of past forecasts)")
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(title_text="months ahead", dtick=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig


def chart_risk_by_reason(data: dict, currency: str) -> go.Figure:
    summary = risk_by_reason(data["at_risk"])
    labels = [REASON_LABELS[r] for r in REASONS]
    fig = go.Figure()
    fig.add_bar(y=labels, x=[f(summary[r]["at_risk"]) for r in REASONS], orientation="h",
                name="MRR at risk (each customer under its first reason)",
                marker_color=[REASON_COLOURS[r] for r in REASONS],
                hovertemplate="%{y}: %{x:,.2f} at risk<extra></extra>")
    fig.add_bar(y=labels, x=[f(summary[r]["current_mrr"]) for r in REASONS], orientation="h",
                name="current MRR of the customers with the signal", marker_color="#b7c4cf",
                customdata=[summary[r]["customers"] for r in REASONS],
                text=[f"{summary[r]['customers']} cust." for r in REASONS], textposition="outside",
                cliponaxis=False, textfont={"size": 10},
                hovertemplate="%{y}: %{customdata} customers paying %{x:,.2f}<extra></extra>")
    fig.update_layout(barmode="group", hovermode="closest",
                      yaxis={"categoryorder": "array", "categoryarray": labels[::-1]})
    style(fig, "MRR at risk by reason")
    fig.update_xaxes(tickformat=",.0f", title_text=currency, title_font={"size": 11})
    fig.update_layout(margin={"l": 150, "r": 70})
    return fig


def chart_customers(data: dict, currency: str) -> go.Figure:
    top = data["at_risk"][:TOP_CUSTOMERS][::-1]  # plotly draws horizontal bars bottom-up
    fig = go.Figure()
    for reason in REASONS:
        mine = [r for r in top if reasons_of(r)[:1] == [reason]]
        if not mine:
            continue
        fig.add_bar(y=[r["customer_id"] for r in mine], x=[f(r["mrr_at_risk"]) for r in mine], orientation="h",
                    name=REASON_LABELS[reason], marker_color=REASON_COLOURS[reason],
                    customdata=[[r["risk_reasons"], f(r["current_mrr"])] for r in mine],
                    hovertemplate="%{y}: %{x:,.2f} at risk of %{customdata[1]:,.2f}<br>%{customdata[0]}"
                                  "<extra></extra>")
    fig.update_layout(barmode="stack", hovermode="closest",
                      yaxis={"categoryorder": "array", "categoryarray": [r["customer_id"] for r in top]})
    style(fig, f"Customers at risk: top {TOP_CUSTOMERS} by MRR at risk (colour: first reason)")
    fig.update_xaxes(tickformat=",.0f", title_text=currency, title_font={"size": 11})
    fig.update_layout(margin={"l": 110})
    return fig


def customers_table(at_risk: list[dict], currency: str) -> str:
    def money(value):
        return f"{value:,.2f}"

    body = []
    for rank, row in enumerate(at_risk, 1):
        badges = "".join(f'<span class="reason" style="background:{REASON_COLOURS[r]}">{html.escape(r)}</span>'
                         for r in reasons_of(row))
        change = row["scheduled_change_month"]
        body.append(
            f'<tr data-customer="{html.escape(row["customer_id"])}"><td class="num">{rank}</td>'
            f'<td>{html.escape(row["customer_id"])}</td><td>{html.escape(row["segment"] or "")}</td>'
            f'<td>{html.escape(row["country_code"] or "")}</td>'
            f'<td class="num">{money(row["current_mrr"])}</td>'
            f'<td class="num mrr-at-risk">{money(row["mrr_at_risk"])}</td>'
            f'<td>{badges}</td><td>{"" if change is None else f"{change:%Y-%m}"}</td>'
            f'<td class="num">{"" if row["days_overdue"] is None else row["days_overdue"]}</td></tr>')
    return f"""  <section class="table-card">
    <h2>Customers at risk, ranked by MRR at risk ({len(at_risk)})</h2>
    <table class="risk" id="at-risk-table">
      <thead><tr><th class="num">#</th><th>customer</th><th>segment</th><th>country</th>
        <th class="num">current MRR ({html.escape(currency)})</th><th class="num">MRR at risk</th>
        <th>reasons</th><th>scheduled change</th><th class="num">days overdue</th></tr></thead>
      <tbody>
{chr(10).join(body)}
      </tbody>
    </table>
  </section>"""


# --------------------------------------------------------------------------- page

def render(data: dict, as_of_date: date | None, currency: str, source: str) -> str:
    if not data["movements"]:
        raise SystemExit("fct_mrr_movements is empty: no month with MRR in the reporting window.")
    as_of_month = data["movements"][-1]["month"]
    if as_of_date is not None and as_of_date.replace(day=1) != as_of_month:
        raise ValueError(f"--as-of-date {as_of_date} is not in the marts' last month "
                         f"({as_of_month:%Y-%m}): were the marts built with another as_of_date?")
    on = f"{as_of_date:%d %B %Y}" if as_of_date else month_label(as_of_month)
    forward = data["committed"]
    ahead = (f"{month_label(forward[0]['month'])} to {month_label(forward[-1]['month'])}" if forward
             else "no forward months")
    header = (f'MRR on <strong id="as-of" data-month="{as_of_month:%Y-%m}">{html.escape(on)}</strong>'
              f" and the {len(forward)} months ahead ({html.escape(ahead)}) · amounts in {html.escape(currency)}."
              " The committed book holds the contracts as they stand today; the forecast adds the recent"
              " trend where it exceeds what is scheduled.")
    figures = [
        ("mrr-outlook", chart_outlook(data, as_of_month, currency), "wide"),
        ("forecast-error", chart_error_by_horizon(data), ""),
        ("risk-by-reason", chart_risk_by_reason(data, currency), ""),
        ("at-risk-customers", chart_customers(data, currency), "wide"),
    ]
    return page_html(title="Revenue Churn and Risk", subtitle=on, header=header,
                     tiles=tiles_html(tiles_for(data, as_of_month), as_of_month, currency, ""),
                     charts=figures_html(figures), marts=MARTS_READ, source=source, extra_css=EXTRA_CSS,
                     after_charts=customers_table(data["at_risk"], currency))


def main(argv=None) -> Path:
    return run_page(__doc__, DEFAULT_OUTPUT, load, render, argv)


if __name__ == "__main__":
    main()
