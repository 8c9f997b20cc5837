"""Sorted, formatted CSV output and the command line."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from .constants import COLUMNS, DEFAULT_OUT, KEY, SEED
from .helpers import Rng, fmt
from .tables import Tables
from .world import World


def sort_key(table: str, row: dict) -> tuple:
    if table == "fx_rates":
        return (fmt(row["rate_date"]), (row["from_currency"] or "").strip().upper(),
                (row["to_currency"] or "").strip().upper(), fmt(row["rate"]))
    return ((row[KEY[table]] or "").strip(), fmt(row["updated_at"]), tuple(fmt(v) for v in row.values()))


def write_csvs(rows: dict[str, list[dict]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table, cols in COLUMNS.items():
        ordered = sorted(rows[table], key=lambda r: sort_key(table, r))
        with open(out / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(cols)
            for r in ordered:
                writer.writerow([fmt(r[c]) for c in cols])


def generate(out: Path) -> dict[str, list[dict]]:
    rng = Rng(SEED)
    world = World(rng.child())
    world.run()
    rows = Tables(world, rng.child()).build()
    write_csvs(rows, out)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the demo billing export (spec section 1) as dbt CSV seeds.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the CSV seeds")
    args = parser.parse_args()
    rows = generate(args.out)
    for table in COLUMNS:
        print(f"{table}: {len(rows[table])} rows")
