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

import argparse
import calendar
import html
import os
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

MARTS_READ = ("fct_mrr_movements", "fct_churn", "fct_revenue", "fct_mrr_by_plan", "fct_cohort_retention")
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "target" / "revenue_overview.html"
TOP_PLANS = 12
TOP_COUNTRIES = 8

# Colours: a movement keeps its colour on every chart.
COLOURS = {
    "new": "#2a9d8f", "expansion": "#8ab17d", "reactivation": "#4c9be8",
    "contraction": "#f4a261", "churn": "#e05d5d", "mrr": "#264653", "revenue": "#b7c4cf",
}
SERIES_PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#4c9be8",
                  "#8ab17d", "#9b5de5", "#6c757d", "#c9ada7"]
CHART_HEIGHT = 360
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


# --------------------------------------------------------------------------- months

def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def latest_complete_month(last_month_in_marts: date, as_of_date: date | None) -> date:
    """The month of as_of_date counts as complete only when as_of_date is its last day."""
    if as_of_date is None:
        return previous_month(last_month_in_marts)
    as_of_month = as_of_date.replace(day=1)
    if as_of_month != last_month_in_marts:
        raise ValueError(f"--as-of-date {as_of_date} is not in the marts' last month "
                         f"({last_month_in_marts:%Y-%m}): were the marts built with another as_of_date?")
    return as_of_month if as_of_date == month_end(as_of_month) else previous_month(as_of_month)


def month_label(month: date) -> str:
    return f"{calendar.month_name[month.month]} {month.year}"


# --------------------------------------------------------------------------- data

def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load(database: Path, schema: str) -> dict:
    con = duckdb.connect(str(database), read_only=True)
    try:
        missing = [m for m in MARTS_READ if not con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, m]).fetchone()[0]]
        if missing:
            raise SystemExit(f"{database}: schema {schema} lacks {', '.join(missing)}: build the marts first.")
        q = f'"{schema}"'
        return {
            "movements": _rows(con, f"select * from {q}.fct_mrr_movements order by month"),
            "churn": {r["month"]: r for r in _rows(con, f"select * from {q}.fct_churn")},
            "revenue": {r["month"]: r for r in _rows(con, f"select * from {q}.fct_revenue")},
            "by_product": _rows(con, f"""
                select month, product_name, sum(mrr) as mrr
                from {q}.fct_mrr_by_plan group by month, product_name order by month, product_name"""),
            "by_segment": _rows(con, f"""
                select month, coalesce(segment, '(none)') as segment, sum(mrr) as mrr
                from {q}.fct_mrr_by_plan group by 1, 2 order by 1, 2"""),
            "by_country": _rows(con, f"""
                select month, coalesce(country_code, '(none)') as country_code, sum(mrr) as mrr
                from {q}.fct_mrr_by_plan group by 1, 2 order by 1, 2"""),
            "by_plan": _rows(con, f"""
                select month, plan_id, product_name, sum(mrr) as mrr, count(distinct customer_id) as customers
                from {q}.fct_mrr_by_plan where mrr > 0 group by 1, 2, 3 order by 1, 4 desc"""),
            "cohorts": _rows(con, f"select * from {q}.fct_cohort_retention order by cohort_month, month"),
        }
    finally:
        con.close()


# --------------------------------------------------------------------------- tiles

@dataclass
class Tile:
    key: str
    title: str
    value: Decimal | None
    previous: Decimal | None
    kind: str             # money (whole units), money_cents, count, percent
    higher_is_better: bool = True
    note: str = ""


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


def fmt_value(value, kind: str, currency: str) -> str:
    if value is None:
        return "n/a"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "money_cents":
        return f"{value:,.2f}"
    if kind == "count":
        return f"{value:,}"
    return f"{value * 100:.2f}%"


def fmt_change(tile: Tile) -> tuple[str, str, str]:
    """(delta, relative, css class) of a tile against the month before."""
    if tile.value is None or tile.previous is None:
        return "n/a", "", "flat"
    delta = tile.value - tile.previous
    css = "flat" if delta == 0 else ("good" if (delta > 0) == tile.higher_is_better else "bad")
    if tile.kind == "percent":
        return f"{delta * 100:+.2f} pp", "", css
    text = {"count": f"{delta:+,}", "money": f"{delta:+,.0f}", "money_cents": f"{delta:+,.2f}"}[tile.kind]
    relative = f"({delta / abs(tile.previous) * 100:+.1f}%)" if tile.previous else ""
    return text, relative, css


def tiles_html(tiles: list[Tile], latest: date, currency: str) -> str:
    before = month_label(previous_month(latest)).split()[0][:3]
    parts = []
    for t in tiles:
        delta, relative, css = fmt_change(t)
        unit = f'<span class="unit">{html.escape(currency)}</span>' if t.kind.startswith("money") else ""
        parts.append(f"""
      <div class="tile" data-metric="{t.key}" data-month="{latest:%Y-%m}">
        <div class="tile-title">{html.escape(t.title)}</div>
        <div class="tile-value"><span class="tile-number">{fmt_value(t.value, t.kind, currency)}</span>{unit}</div>
        <div class="tile-change {css}"><span class="tile-delta">{delta}</span>
          <span class="tile-delta-pct">{relative}</span> <span class="vs">vs {before}</span></div>
        <div class="tile-note">{html.escape(t.note)}</div>
      </div>""")
    return "".join(parts)


# --------------------------------------------------------------------------- charts

def _f(value) -> float | None:
    return None if value is None else float(value)


def _style(fig: go.Figure, title: str, currency: str | None = None, height: int = CHART_HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        height=height, margin={"l": 60, "r": 20, "t": 50, "b": 40},
        template="plotly_white", hovermode="x unified",
        legend={"orientation": "h", "y": -0.14, "x": 0, "font": {"size": 11}},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    )
    if currency:
        fig.update_yaxes(tickformat=",.0f", title_text=currency, title_font={"size": 11})
    return fig


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

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Revenue Overview · {latest_label}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body {{ margin: 0; background: #f4f6f8; color: #1d2b36;
         font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
  main {{ max-width: 1400px; margin: 0 auto; padding: 18px 20px 40px; box-sizing: border-box; }}
  header h1 {{ margin: 0; font-size: 22px; }}
  header p {{ margin: 4px 0 14px; color: #5b6b79; font-size: 13px; }}
  .tiles {{ display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin-bottom: 14px; }}
  .tile {{ background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
  .tile-title {{ font-size: 12px; color: #5b6b79; text-transform: uppercase; letter-spacing: .04em; }}
  .tile-value {{ font-size: 26px; font-weight: 600; margin: 4px 0 2px; white-space: nowrap; }}
  .unit {{ font-size: 12px; font-weight: 400; color: #5b6b79; margin-left: 4px; }}
  .tile-change {{ font-size: 13px; }}
  .tile-change.good {{ color: #1f8a5b; }} .tile-change.bad {{ color: #c0392b; }} .tile-change.flat {{ color: #5b6b79; }}
  .vs {{ color: #8a98a5; }}
  .tile-note {{ font-size: 11px; color: #8a98a5; margin-top: 4px; }}
  .charts {{ display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }}
  .card {{ background: #fff; border-radius: 8px; padding: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.08); min-width: 0; }}
  .card.wide {{ grid-column: 1 / -1; }}
  footer {{ margin-top: 14px; font-size: 12px; color: #5b6b79; }}
</style>
<script type="text/javascript">{plotly_js}</script>
</head>
<body>
<main>
  <header>
    <h1>Revenue Overview</h1>
    <p>Latest complete month: <strong id="latest-month" data-month="{latest:%Y-%m}">{latest_label}</strong>
       · {window} · amounts in {currency}, MRR on each month's last day. {partial}</p>
  </header>
  <section class="tiles">{tiles}
  </section>
  <section class="charts">
{charts}
  </section>
  <footer>Built from {marts} ({source}). Definitions: <code>dbt docs generate</code>, model docs of each mart.</footer>
</main>
</body>
</html>
"""


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
    charts = "\n".join(
        f'    <div class="card {css}">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG,
                      default_width="100%", default_height=f"{fig.layout.height}px")
        + "</div>"
        for div_id, fig, css in figures)
    return PAGE.format(
        plotly_js=get_plotlyjs(), latest=latest, latest_label=month_label(latest),
        window=f"{month_label(months[0])} to {month_label(latest)}", currency=html.escape(currency),
        partial=html.escape(partial), tiles=tiles_html(tiles_for(data, latest), latest, currency),
        charts=charts, marts=", ".join(MARTS_READ), source=html.escape(source))


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("MRR_DUCKDB_PATH"),
                        help="DuckDB file holding the marts (default: $MRR_DUCKDB_PATH)")
    parser.add_argument("--schema", default="main", help="schema of the marts (default: main)")
    parser.add_argument("--as-of-date", type=date.fromisoformat, default=None,
                        help="the as_of_date the marts were built with, YYYY-MM-DD")
    parser.add_argument("--currency", default="USD", help="reporting currency of the marts, for labels")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("give --database or set MRR_DUCKDB_PATH")
    database = Path(args.database).resolve()
    if not database.exists():
        sys.exit(f"No DuckDB file at {database}: run `make run` first.")
    try:
        page = render(load(database, args.schema), args.as_of_date, args.currency, str(database))
    except ValueError as error:
        sys.exit(str(error))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page, encoding="utf-8")
    print(f"Dashboard: {args.output.resolve()}")
    return args.output


if __name__ == "__main__":
    main()
