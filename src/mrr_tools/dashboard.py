"""What the dashboard pages share: months, reading marts, headline tiles, chart style,
the page shell and the command line.

Each page (scripts/revenue_overview.py, scripts/revenue_churn_and_risk.py) is one
self-contained HTML file: plotly's JavaScript is inlined once, nothing is fetched.
"""
from __future__ import annotations

import argparse
import calendar
import html
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

TARGET_DIR = Path(__file__).resolve().parents[1] / "target"

# Colours: a movement keeps its colour on every chart of every page.
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

def rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def read_marts(database: Path, schema: str, marts_read: tuple, queries: Callable[[object, str], dict]) -> dict:
    """``queries(con, quoted_schema)`` on the database opened read-only, as BI would,
    once every mart the page reads is there."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        missing = [m for m in marts_read if not con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, m]).fetchone()[0]]
        if missing:
            raise SystemExit(f"{database}: schema {schema} lacks {', '.join(missing)}: build the marts first.")
        return queries(con, f'"{schema}"')
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
    compare: bool = True  # False: no change line (a figure with nothing to compare against)


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
    """(delta, relative, css class) of a tile against the figure it is compared with."""
    if tile.value is None or tile.previous is None:
        return "n/a", "", "flat"
    delta = tile.value - tile.previous
    css = "flat" if delta == 0 else ("good" if (delta > 0) == tile.higher_is_better else "bad")
    if tile.kind == "percent":
        return f"{delta * 100:+.2f} pp", "", css
    text = {"count": f"{delta:+,}", "money": f"{delta:+,.0f}", "money_cents": f"{delta:+,.2f}"}[tile.kind]
    relative = f"({delta / abs(tile.previous) * 100:+.1f}%)" if tile.previous else ""
    return text, relative, css


def tiles_html(tiles: list[Tile], month: date, currency: str, versus: str) -> str:
    """The tiles of ``month``; ``versus`` names what the change line compares with."""
    parts = []
    for t in tiles:
        unit = f'<span class="unit">{html.escape(currency)}</span>' if t.kind.startswith("money") else ""
        change = ""
        if t.compare:
            delta, relative, css = fmt_change(t)
            change = f"""
        <div class="tile-change {css}"><span class="tile-delta">{delta}</span>
          <span class="tile-delta-pct">{relative}</span> <span class="vs">vs {html.escape(versus)}</span></div>"""
        parts.append(f"""
      <div class="tile" data-metric="{t.key}" data-month="{month:%Y-%m}">
        <div class="tile-title">{html.escape(t.title)}</div>
        <div class="tile-value"><span class="tile-number">{fmt_value(t.value, t.kind, currency)}</span>{unit}</div>\
{change}
        <div class="tile-note">{html.escape(t.note)}</div>
      </div>""")
    return "".join(parts)


# --------------------------------------------------------------------------- charts

def f(value) -> float | None:
    return None if value is None else float(value)


def style(fig: go.Figure, title: str, currency: str | None = None, height: int = CHART_HEIGHT) -> go.Figure:
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


def figures_html(figures: list[tuple[str, go.Figure, str]]) -> str:
    """One card per (div id, figure, extra css class); plotly's JS is in the page head."""
    return "\n".join(
        f'    <div class="card {css}">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG,
                      default_width="100%", default_height=f"{fig.layout.height}px")
        + "</div>"
        for div_id, fig, css in figures)


# --------------------------------------------------------------------------- page

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} · {subtitle}</title>
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
{extra_css}
</style>
<script type="text/javascript">{plotly_js}</script>
</head>
<body>
<main>
  <header>
    <h1>{title}</h1>
    <p>{header}</p>
  </header>
  <section class="tiles">{tiles}
  </section>
  <section class="charts">
{charts}
  </section>
{after_charts}
  <footer>Built from {marts} ({source}). Definitions: <code>dbt docs generate</code>, model docs of each mart.</footer>
</main>
</body>
</html>
"""


def page_html(*, title: str, subtitle: str, header: str, tiles: str, charts: str, marts: tuple, source: str,
              extra_css: str = "", after_charts: str = "") -> str:
    """The page; ``header`` and ``after_charts`` are HTML the caller has escaped."""
    return PAGE.format(plotly_js=get_plotlyjs(), title=html.escape(title), subtitle=html.escape(subtitle),
                       header=header, tiles=tiles, charts=charts, marts=", ".join(marts),
                       source=html.escape(source), extra_css=extra_css, after_charts=after_charts)


# --------------------------------------------------------------------------- command line

def main(description: str, default_output: Path, load: Callable[[Path, str], dict],
         render: Callable[[dict, date | None, str, str], str], argv=None) -> Path:
    """The command line every page shares: read the marts, write the page, print its path."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("MRR_DUCKDB_PATH"),
                        help="DuckDB file holding the marts (default: $MRR_DUCKDB_PATH)")
    parser.add_argument("--schema", default="main", help="schema of the marts (default: main)")
    parser.add_argument("--as-of-date", type=date.fromisoformat, default=None,
                        help="the as_of_date the marts were built with, YYYY-MM-DD")
    parser.add_argument("--currency", default="USD", help="reporting currency of the marts, for labels")
    parser.add_argument("--output", type=Path, default=default_output)
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
