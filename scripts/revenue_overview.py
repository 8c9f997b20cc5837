"""Write the Revenue Overview dashboard: one self-contained HTML file built from the marts.

Usage:
    python scripts/revenue_overview.py [--database PATH] [--schema main]
        [--as-of-date YYYY-MM-DD] [--currency USD] [--output target/revenue_overview.html]

The page reads only the marts BI reads (MARTS_READ; the dbt exposure
`revenue_overview` declares the same list), opens from disk with no server and no
network: plotly's JavaScript is inlined once in the page.

Latest complete month: the month of as_of_date is complete only when as_of_date
is its last day; otherwise the month before is the latest complete month. The
headline tiles and every chart stop there, so a half-month never looks like a
drop. Without --as-of-date the last month in the marts is taken as incomplete.
"""
from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mrr_tools.dashboard import (
    COLOURS,
    SERIES_PALETTE,
    TARGET_DIR,
    Tile,
    figures_html,
    latest_complete_month,
    month_label,
    page_html,
    previous_month,
    read_marts,
    rows,
    tiles_html,
)
from mrr_tools.dashboard import f as _f
from mrr_tools.dashboard import main as run_page
from mrr_tools.dashboard import style as _style

MARTS_READ = ("fct_mrr_movements", "fct_churn", "fct_revenue", "fct_mrr_by_plan", "fct_cohort_retention")
DEFAULT_OUTPUT = TARGET_DIR / "revenue_overview.html"
TOP_PLANS = 12
TOP_COUNTRIES = 8


# --------------------------------------------------------------------------- data

def load(database: Path, schema: str) -> dict:
    return read_marts(database, schema, MARTS_READ, _queries)


def _queries(con, q: str) -> dict:
    return {
        "movements": rows(con, f"select * from {q}.fct_mrr_movements order by month"),
        "churn": {r["month"]: r for r in rows(con, f"select * from {q}.fct_churn")},
        "revenue": {r["month"]: r for r in rows(con, f"select * from {q}.fct_revenue")},
        "by_product": rows(con, f"""
            select month, product_name, sum(mrr) as mrr
            from {q}.fct_mrr_by_plan group by month, product_name order by month, product_name"""),
        "by_segment": rows(con, f"""
            select month, coalesce(segment, '(none)') as segment, sum(mrr) as mrr
            from {q}.fct_mrr_by_plan group by 1, 2 order by 1, 2"""),
        "by_country": rows(con, f"""
            select month, coalesce(country_code, '(none)') as country_code, sum(mrr) as mrr
            from {q}.fct_mrr_by_plan group by 1, 2 order by 1, 2"""),
        "by_plan": rows(con, f"""
            select month, plan_id, product_name, sum(mrr) as mrr, count(distinct customer_id) as customers
            from {q}.fct_mrr_by_plan where mrr > 0 group by 1, 2, 3 order by 1, 4 desc"""),
        "cohorts": rows(con, f"select * from {q}.fct_cohort_retention order by cohort_month, month"),
    }


# --------------------------------------------------------------------------- tiles

def tiles_for(data: dict, latest: date) -> list[Tile]:
    movements = {r["month"]: r for r in data["movements"]}
    before = previous_month(latest)

    def get(table, month, column):
        row = table.get(month)
        return None if row is None else row[column]

    def tile(key, title, table, column, kind, higher_is_better=True, note=""):
        return Tile(key, title, get(table, latest, column), get(table, before, column),
                    kind, higher_is_better, note)

    return [
        tile("mrr", "MRR", movements, "closing_mrr", "money", note="on the month's last day"),
        tile("net_new_mrr", "Net new MRR", movements, "net_new_mrr", "money",
             note="new + expansion + reactivation − contraction − churn"),
        tile("paying_customers", "Paying customers", movements, "closing_customers", "count", note="MRR above 0"),
        tile("arpa", "ARPA", data["churn"], "arpa", "money_cents", note="MRR per paying customer"),
        tile("logo_churn_rate", "Logo churn", data["churn"], "logo_churn_rate", "percent", higher_is_better=False,
             note="churned ÷ opening customers"),
        tile("nrr", "Net revenue retention", data["churn"], "net_revenue_retention", "percent",
             note="monthly, opening customers"),
    ]


# --------------------------------------------------------------------------- charts

def chart_mrr(months, movements, currency):
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=months, y=[_f(r["closing_mrr"]) for r in movements], name="MRR",
                    mode="lines", line={"color": COLOURS["mrr"], "width": 3}, fill="tozeroy",
                    fillcolor="rgba(38,70,83,0.08)", hovertemplate="%{y:,.2f}")
    fig.add_scatter(x=months, y=[r["closing_customers"] for r in movements], name="Paying customers",
                    mode="lines", line={"color": COLOURS["new"], "width": 1.5, "dash": "dot"},
                    hovertemplate="%{y:,}", secondary_y=True)
    _style(fig, "MRR over time", currency)
    fig.update_yaxes(title_text="customers", tickformat=",.0f", tickmode="auto", secondary_y=True,
                     showgrid=False, rangemode="tozero")
    return fig


def chart_bridge(months, movements, currency):
    fig = go.Figure()
    for column, name, colour in (("new_mrr", "New", "new"), ("expansion_mrr", "Expansion", "expansion"),
                                 ("reactivation_mrr", "Reactivation", "reactivation"),
                                 ("contraction_mrr", "Contraction", "contraction"),
                                 ("churned_mrr", "Churn", "churn")):
        fig.add_bar(x=months, y=[_f(r[column]) for r in movements], name=name,
                    marker_color=COLOURS[colour], hovertemplate="%{y:,.2f}")
    fig.add_scatter(x=months, y=[_f(r["net_new_mrr"]) for r in movements], name="Net new MRR",
                    mode="lines+markers", line={"color": "#222", "width": 2}, marker={"size": 5},
                    hovertemplate="%{y:,.2f}")
    fig.update_layout(barmode="relative")
    return _style(fig, "MRR movements: what moved MRR each month", currency)


def chart_rates(months, churn):
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("retention (net and gross)", "churn (logo and gross MRR)"))
    rows = [churn.get(m, {}) for m in months]
    for column, name, colour, dash, row in (
            ("net_revenue_retention", "Net revenue retention", COLOURS["mrr"], None, 1),
            ("gross_revenue_retention", "Gross revenue retention", COLOURS["reactivation"], "dot", 1),
            ("logo_churn_rate", "Logo churn", COLOURS["churn"], None, 2),
            ("gross_mrr_churn_rate", "Gross MRR churn", COLOURS["contraction"], "dot", 2)):
        fig.add_scatter(x=months, y=[_f(r.get(column)) for r in rows], name=name, mode="lines",
                        line={"color": colour, "width": 2, "dash": dash},
                        hovertemplate="%{y:.2%}", row=row, col=1)
    _style(fig, "Monthly retention and churn")
    fig.update_annotations(font={"size": 11, "color": "#5b6b79"}, x=0, xanchor="left")
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=2, col=1)
    return fig


def chart_revenue(months, movements, revenue, currency):
    fig = go.Figure()
    rows = [revenue.get(m, {}) for m in months]
    for column, name, colour in (("recurring_revenue", "Recurring revenue", "#9fb3c8"),
                                 ("usage_revenue", "Usage", "#e9c46a"),
                                 ("one_time_revenue", "One-time", "#c9ada7"),
                                 ("setup_revenue", "Setup", "#8d99ae")):
        fig.add_bar(x=months, y=[_f(r.get(column)) for r in rows], name=name, marker_color=colour,
                    hovertemplate="%{y:,.2f}")
    fig.add_scatter(x=months, y=[_f(r.get("total_revenue")) for r in rows], name="Total revenue",
                    mode="markers", marker={"symbol": "line-ew-open", "size": 14, "color": "#555"},
                    hovertemplate="%{y:,.2f}")
    fig.add_scatter(x=months, y=[_f(r["closing_mrr"]) for r in movements], name="MRR",
                    mode="lines", line={"color": COLOURS["mrr"], "width": 3}, hovertemplate="%{y:,.2f}")
    fig.update_layout(barmode="relative")
    return _style(fig, "MRR beside invoiced revenue (annual and multi-month plans are invoiced up front)",
                  currency)


def chart_stacked(months, rows, key, title, currency, top: int | None = None):
    """Stacked MRR areas by one dimension; past ``top`` series the smallest go to 'other'."""
    series: dict[str, dict[date, Decimal]] = {}
    for row in rows:
        series.setdefault(row[key], {})[row["month"]] = row["mrr"]
    latest = months[-1] if months else None
    ranked = sorted(series, key=lambda name: (-(series[name].get(latest) or 0), name))
    if top and len(ranked) > top:
        keep, rest = ranked[:top - 1], ranked[top - 1:]
        other: dict[date, Decimal] = {}
        for name in rest:
            for month, value in series[name].items():
                other[month] = other.get(month, 0) + value
        series = {name: series[name] for name in keep} | {"other": other}
        ranked = keep + ["other"]
    fig = go.Figure()
    # Biggest at the bottom of the stack, so the large areas stay steady.
    for index, name in enumerate(ranked):
        fig.add_scatter(x=months, y=[_f(series[name].get(m, 0)) for m in months], name=str(name),
                        mode="lines", stackgroup="mrr",
                        line={"width": 0.5, "color": SERIES_PALETTE[index % len(SERIES_PALETTE)]},
                        hovertemplate="%{y:,.2f}")
    return _style(fig, title, currency)


def chart_plans(latest, rows, currency):
    plans = [r for r in rows if r["month"] == latest][:TOP_PLANS]
    plans.reverse()  # plotly draws horizontal bars bottom-up
    products = sorted({r["product_name"] for r in plans})
    fig = go.Figure()
    for index, product in enumerate(products):
        mine = [r for r in plans if r["product_name"] == product]
        fig.add_bar(y=[r["plan_id"] for r in mine], x=[_f(r["mrr"]) for r in mine], orientation="h",
                    name=product, marker_color=SERIES_PALETTE[index % len(SERIES_PALETTE)],
                    customdata=[r["customers"] for r in mine],
                    text=[f'{r["mrr"]:,.0f} · {r["customers"]} cust.' for r in mine],
                    textposition="outside", cliponaxis=False, textfont={"size": 10},
                    hovertemplate="%{y}: %{x:,.2f} from %{customdata} customers<extra></extra>")
    fig.update_layout(barmode="stack", hovermode="closest",
                      yaxis={"categoryorder": "array", "categoryarray": [r["plan_id"] for r in plans]})
    _style(fig, f"MRR by plan: top {TOP_PLANS} plans, {month_label(latest)}")
    fig.update_xaxes(tickformat=",.0f", title_text=currency, title_font={"size": 11})
    fig.update_layout(margin={"l": 170, "r": 90})
    return fig


def cohort_title(metric_name: str) -> str:
    base = "of customers" if metric_name.startswith("Logo") else "of starting MRR"
    return f"Cohort retention by first paying month: {metric_name.lower()} (% {base})"


def chart_cohorts(latest, rows):
    rows = [r for r in rows if r["month"] <= latest]
    cohorts = sorted({r["cohort_month"] for r in rows})
    ages = list(range(0, max((r["months_since_start"] for r in rows), default=0) + 1))
    cells = {(r["cohort_month"], r["months_since_start"]): r for r in rows}
    sizes = {r["cohort_month"]: r["cohort_customers"] for r in rows}
    labels = [f"{c:%Y-%m} ({sizes[c]})" for c in cohorts]

    def grid(column):
        return [[None if (c, a) not in cells or cells[(c, a)][column] is None
                 else float(cells[(c, a)][column]) * 100 for a in ages] for c in cohorts]

    metrics = (("net_mrr_retention", "Net MRR retention"), ("gross_mrr_retention", "Gross MRR retention"),
               ("logo_retention", "Logo retention"))
    z = {column: grid(column) for column, _ in metrics}
    fig = go.Figure(go.Heatmap(
        z=z["net_mrr_retention"], x=ages, y=labels, zmin=0, zmax=120, colorscale="YlGnBu",
        texttemplate="%{z:.0f}", textfont={"size": 9}, xgap=1, ygap=1,
        colorbar={"title": {"text": "%"}, "ticksuffix": "%"},
        hovertemplate="cohort %{y}<br>month %{x} since start<br>%{z:.1f}%<extra></extra>"))
    fig.update_layout(updatemenus=[{
        "type": "buttons", "direction": "right", "x": 1, "xanchor": "right", "y": 1.09, "yanchor": "bottom",
        "showactive": True, "font": {"size": 11},
        "buttons": [{"label": name, "method": "update",
                     "args": [{"z": [z[column]]}, {"title.text": cohort_title(name)}]}
                    for column, name in metrics]}])
    _style(fig, cohort_title(metrics[0][1]), height=max(420, 22 * len(cohorts) + 120))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text="months since the cohort's first paying month", dtick=3)
    fig.update_yaxes(title_text="cohort (customers)", autorange="reversed", type="category")
    return fig


# --------------------------------------------------------------------------- page

def render(data: dict, as_of_date: date | None, currency: str, source: str) -> str:
    if not data["movements"]:
        raise SystemExit("fct_mrr_movements is empty: no month with MRR in the reporting window.")
    last_month = data["movements"][-1]["month"]
    latest = latest_complete_month(last_month, as_of_date)
    movements = [r for r in data["movements"] if r["month"] <= latest]
    if not movements:
        raise SystemExit(f"No complete month yet: the only month, {last_month:%Y-%m}, is still running.")
    months = [r["month"] for r in movements]

    if last_month > latest:
        through = f"to {as_of_date:%d %b %Y}" if as_of_date else "not yet complete"
        partial = f"{month_label(last_month)} ({through}) is left out until it ends."
    else:
        partial = ""

    def in_window(rows):
        return [r for r in rows if r["month"] <= latest]

    figures = [
        ("mrr-over-time", chart_mrr(months, movements, currency), ""),
        ("mrr-bridge", chart_bridge(months, movements, currency), ""),
        ("churn-retention", chart_rates(months, data["churn"]), ""),
        ("mrr-vs-revenue", chart_revenue(months, movements, data["revenue"], currency), ""),
        ("mrr-by-product", chart_stacked(months, in_window(data["by_product"]), "product_name",
                                         "MRR by product", currency), ""),
        ("mrr-by-segment", chart_stacked(months, in_window(data["by_segment"]), "segment",
                                         "MRR by customer segment", currency), ""),
        ("mrr-by-plan", chart_plans(latest, data["by_plan"], currency), ""),
        ("mrr-by-country", chart_stacked(months, in_window(data["by_country"]), "country_code",
                                         "MRR by customer country", currency, top=TOP_COUNTRIES), ""),
        ("cohort-retention", chart_cohorts(latest, data["cohorts"]), "wide"),
    ]
    header = (f'Latest complete month: <strong id="latest-month" data-month="{latest:%Y-%m}">'
              f'{month_label(latest)}</strong>\n'
              f'       · {month_label(months[0])} to {month_label(latest)} · amounts in {html.escape(currency)}, '
              f"MRR on each month's last day. {html.escape(partial)}")
    versus = month_label(previous_month(latest)).split()[0][:3]
    return page_html(title="Revenue Overview", subtitle=month_label(latest), header=header,
                     tiles=tiles_html(tiles_for(data, latest), latest, currency, versus),
                     charts=figures_html(figures), marts=MARTS_READ, source=source)


def main(argv=None) -> Path:
    return run_page(__doc__, DEFAULT_OUTPUT, load, render, argv)


if __name__ == "__main__":
    main()
