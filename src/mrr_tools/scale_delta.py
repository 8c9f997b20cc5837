"""One night of changes in the raw billing tables, for the nightly benchmark.

    .venv/bin/python benchmarks/nightly_delta.py --db benchmarks/work/scale_standard_100000.duckdb \
        --as-of 2026-10-31 [--schema raw_scale --fraction 0.005 --seed 7]

What a billing export delivers the night after `as_of` (set-based SQL, deterministic
for a given seed, like generate_scale_data.py):

- new versions of about `fraction` of the records of every keyed table, each a real
  change: customers with a new segment, some flagged as test accounts, some soft
  deleted; subscriptions cancelled (ended the next day) or with a new status;
  items repriced (unit price +10 %, a seat more) or with a new discount; invoices
  voided or marked uncollectible; invoice lines with a corrected amount;
- the night's new invoices: every subscription still running whose invoice one
  month earlier was issued on that day of the month gets a new invoice and lines
  (subscription lines for the next month), open;
- the night's payments: 30 % of the open invoices issued in the last 10 days are
  paid (a new version);
- a few FX rates corrected in place (the raw table has no versions), so invoices
  and items converted at them must be converted again.

Every new version is dated `updated_at` = the day after the newest version already
in the raw tables (the generated data holds payments dated up to 9 days after the
export), so that an incremental run sees it as the next night's delivery; the
run's `as_of_date` is `as_of` + 1 day, and the cancellations end on that day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import duckdb

from mrr_tools.raw_tables import record_keys

KEYS = record_keys()


def latest(schema: str, table: str) -> str:
    """The winning raw row of each key (latest updated_at), as the models pick it."""
    key = KEYS[table]
    return (f"(select * from {schema}.{table} where trim({key}) <> '' "
            f"qualify row_number() over (partition by trim({key}) order by updated_at desc) = 1)")


def picked(key: str, salt: str, fraction: float, seed: int) -> str:
    """True for about `fraction` of the keys, always the same ones for a seed."""
    return f"(hash(trim({key}), '{salt}', {seed}) % 1000000) < {int(fraction * 1_000_000)}"


def apply_delta(con, schema: str, as_of: str, fraction: float = 0.005, seed: int = 7) -> dict:
    """Append one night of changes to the raw tables; returns what was changed, per kind."""
    s = schema
    night = dt.date.fromisoformat(as_of) + dt.timedelta(days=1)
    newest = con.execute(" union all ".join(
        f"select max(updated_at) from {s}.{t}" for t in KEYS)).fetchall()
    high_water = max(v for (v,) in newest if v is not None)
    stamp = dt.datetime.combine(max(high_water.date(), night - dt.timedelta(days=1)) + dt.timedelta(days=1),
                                dt.time(2, 0))
    at = f"timestamp '{stamp:%Y-%m-%d %H:%M:%S}'"
    day = f"timestamp '{night} 00:00:00'"
    u = "(hash(trim({k}), 'kind', " + str(seed) + ") % 100)"
    counts: dict = {"updated_at": str(stamp), "as_of_date": str(night)}

    def run(name: str, sql: str) -> None:
        before = con.execute(f"select count(*) from {s}.{name.split(':')[0]}").fetchone()[0]
        con.execute(sql)
        after = con.execute(f"select count(*) from {s}.{name.split(':')[0]}").fetchone()[0]
        counts[name] = after - before

    # New invoices first: they copy last month's, before the changes below.
    inv_u = u.format(k="invoice_id")
    run("invoices:new", f"""
        insert into {s}.invoices
        select trim(i.invoice_id) || '_n{night:%Y%m%d}', i.customer_id, i.subscription_id, 'open', i.currency,
               {day} + (i.issued_at - date_trunc('day', i.issued_at)), i.due_at + interval 1 month,
               null, {at}, false
        from {latest(s, 'invoices')} as i
        join {latest(s, 'subscriptions')} as sub on trim(sub.subscription_id) = trim(i.subscription_id)
        where cast(i.issued_at as date) = date '{night}' - interval 1 month
          and sub.ended_at is null and not coalesce(sub.is_deleted, false)""")
    run("invoice_lines:new", f"""
        insert into {s}.invoice_lines
        select trim(l.invoice_line_id) || '_n{night:%Y%m%d}', trim(l.invoice_id) || '_n{night:%Y%m%d}',
               l.subscription_id,
               l.plan_id, l.line_type, l.description, l.quantity, l.amount, l.discount_amount, l.tax_amount,
               l.period_start + interval 1 month, l.period_end + interval 1 month, {at}
        from {latest(s, 'invoice_lines')} as l
        where trim(l.invoice_id) || '_n{night:%Y%m%d}' in (
            select trim(invoice_id) from {s}.invoices where updated_at = {at})""")

    cu = u.format(k="customer_id")
    run("customers", f"""
        insert into {s}.customers
        select customer_id, customer_name, email, country_code,
               case when segment = 'enterprise' then 'mid_market' else 'enterprise' end,
               is_test or {cu} < 10, created_at, {at}, is_deleted or {cu} between 10 and 14
        from {latest(s, 'customers')}
        where {picked('customer_id', 'customers', fraction, seed)}""")
    su = u.format(k="subscription_id")
    run("subscriptions", f"""
        insert into {s}.subscriptions
        select subscription_id, customer_id,
               case when {su} < 60 and ended_at is null then 'canceled' else 'past_due' end,
               created_at, started_at, trial_end_at,
               case when {su} < 60 and ended_at is null then {day} else canceled_at end,
               cancel_at,
               case when {su} < 60 and ended_at is null then {day} else ended_at end,
               {at}, is_deleted
        from {latest(s, 'subscriptions')}
        where {picked('subscription_id', 'subscriptions', fraction, seed)}""")
    iu = u.format(k="i.subscription_item_id")
    run("subscription_items", f"""
        insert into {s}.subscription_items
        select i.subscription_item_id, i.subscription_id, i.plan_id,
               coalesce(i.quantity, 1) + case when {iu} < 70 then 1 else 0 end,
               case when {iu} < 70 then round(coalesce(i.unit_price, p.price) * 1.1, 2) else i.unit_price end,
               case when {iu} < 70 then i.discount_percent else 15 end,
               i.discount_amount, i.valid_from, i.valid_to, {at}, i.is_deleted
        from {latest(s, 'subscription_items')} as i
        left join {latest(s, 'plans')} as p on trim(p.plan_id) = trim(i.plan_id)
        where {picked('i.subscription_item_id', 'items', fraction, seed)}""")
    run("invoices", f"""
        insert into {s}.invoices
        select invoice_id, customer_id, subscription_id,
               case when {inv_u} < 70 then 'void' else 'uncollectible' end,
               currency, issued_at, due_at, paid_at, {at}, is_deleted
        from {latest(s, 'invoices')}
        where {picked('invoice_id', 'invoices', fraction, seed)} and updated_at < {at}""")
    run("invoices:paid", f"""
        insert into {s}.invoices
        select invoice_id, customer_id, subscription_id, 'paid', currency, issued_at, due_at,
               {at}, {at}, is_deleted
        from {latest(s, 'invoices')}
        where lower(trim(status)) = 'open' and issued_at >= {day} - interval 10 day
          and (hash(trim(invoice_id), 'paid', {seed}) % 100) < 30
          and not {picked('invoice_id', 'invoices', fraction, seed)}
          -- tonight's new invoices are open: one version a night (two rows of a key
          -- with one updated_at are copies, spec section 2)
          and updated_at < {at}""")
    run("invoice_lines", f"""
        insert into {s}.invoice_lines
        select invoice_line_id, invoice_id, subscription_id, plan_id, line_type, description, quantity,
               round(amount * 0.9, 2), discount_amount, tax_amount, period_start, period_end, {at}
        from {latest(s, 'invoice_lines')}
        where {picked('invoice_line_id', 'lines', fraction, seed)} and updated_at < {at}""")

    # FX: the raw table has no versions; a correction changes the row in place.
    corrected = con.execute(f"""
        update {s}.fx_rates set rate = round(rate * 1.01, 8)
        where upper(trim(to_currency)) = 'USD'
          and rate_date in (select distinct rate_date from {s}.fx_rates
                            where rate_date <= date '{as_of}' order by rate_date desc limit 3)
        returning 1""").fetchall()
    counts["fx_rates:corrected"] = len(corrected)
    con.execute("checkpoint")
    return counts


# Run stamps, not data: when a row was written, published, first seen or built.
STAMP_COLUMNS = {"processed_at", "changed_at", "published_at", "first_seen_at", "built_at"}
# What a run did, not data: the rows an incremental run recomputed (a full refresh
# recomputes everything and lists nothing).
RUN_TABLES = {"int_series_rebuild_scope"}


def compare_databases(incremental: str, full: str, schema: str = "main") -> dict:
    """Every table the build wrote in `schema` of two DuckDB files but RUN_TABLES,
    compared row by row (all columns but the run stamps, as multisets, both ways). {table: rows differing};
    a table missing on one side counts as -1."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")

        def tables(db):
            return {t for (t,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = ? "
                "and table_schema = ? and table_type = 'BASE TABLE'", [db, schema]).fetchall()}

        left, right = tables("incremental") - RUN_TABLES, tables("full_build") - RUN_TABLES
        out = {t: -1 for t in sorted(left ^ right)}
        for table in sorted(left & right):
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'incremental' "
                "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
                if c not in STAMP_COLUMNS]
            cols = ", ".join(f'"{c}"' for c in columns)
            a = f"select {cols} from incremental.{schema}.{table}"
            b = f"select {cols} from full_build.{schema}.{table}"
            out[table] = con.execute(
                f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))").fetchone()[0]
        return out
    finally:
        con.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--schema", default="raw_scale")
    ap.add_argument("--as-of", default="2026-10-31", help="last day of the data already built")
    ap.add_argument("--fraction", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    con = duckdb.connect(a.db)
    try:
        print(json.dumps(apply_delta(con, a.schema, a.as_of, a.fraction, a.seed), indent=1))
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
