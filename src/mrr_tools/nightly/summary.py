"""What a published night says about itself: rows read, rejects, months closed
and restated (read from the published marts), and the lines the scheduler logs."""
from __future__ import annotations

import datetime as dt

from mrr_tools.nightly import log
from mrr_tools.raw_tables import record_keys

# Base tables whose rows carry processed_at and changed_at: the versioned raw tables (all but fx_rates).
STAMPED_TABLES = tuple(record_keys())


def utc_now_text() -> str:
    """Now in UTC to the second, as dbt stamps published_at (macros/mrr_run_timestamp.sql)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def summary(rows, schema: str, night_started: str, full_refresh: bool) -> dict:
    """What the published marts say about this night; ``rows(sql)`` runs a query.

    ``night_started`` is when this run began (UTC, to the second, as text): the
    months it closed are those first published at or after it. A re-run of a night
    that closed nothing new, or of one already published, closes nothing.
    ``full_refresh``: the night rebuilt the customer series whole.
    """
    raw = {}
    for table, disposition, count in rows(
            f"select source_table, disposition, row_count from {schema}.audit_raw_row_accounting order by 1, 2"):
        raw.setdefault(table, {})[disposition] = int(count)
    night = f"cast('{night_started}' as timestamp)"
    closed_now = rows(f"select distinct month from {schema}.fct_monthly_metrics_closed "
                      f"where published_at >= {night} order by month")
    restated = rows(f"select month, count(*) from {schema}.audit_restatements group by month order by month")
    # What this night read and changed of each base table's keyed records: a row this
    # run wrote carries its start (processed_at, dbt's run_started_at, later than the
    # night's start), and a row whose content changed a changed_at as late
    # (macros/mrr_with_processed_at.sql). Rows without a key are rewritten every night
    # (nothing identifies them from one night to the next) and listed as rejected;
    # fx_rates has no versions and is rebuilt whole.
    processed = {}
    for table in STAMPED_TABLES:
        total, read, changed = rows(
            f"select count(*), sum(case when processed_at >= {night} then 1 else 0 end), "
            f"sum(case when changed_at >= {night} then 1 else 0 end) "
            f"from {schema}.base_billing__{table} where record_id is not null")[0]
        processed[table] = {"records": int(total), "read": int(read or 0), "changed": int(changed or 0)}
    # What the incremental customer series recomputed (int_series_rebuild_scope; none
    # listed on a full refresh, which rebuilds them whole).
    scoped_customers = rows(f"select count(*) from {schema}.int_series_rebuild_scope where customer_id is not null")
    scoped_months = rows(f"select month from {schema}.int_series_rebuild_scope where month is not null order by 1")
    return {
        "raw_rows": {table: sum(counts.values()) for table, counts in raw.items()},
        "raw_dispositions": raw,
        "records_processed": processed,
        "rejected_records": int(rows(f"select count(*) from {schema}.audit_rejected_records")[0][0]),
        "months_newly_closed": [str(month) for (month,) in closed_now],
        "months_restated": {str(month): int(count) for month, count in restated},
        "series_recomputed": {"customers": int(scoped_customers[0][0]),
                              "months": [str(month) for (month,) in scoped_months],
                              "full_refresh": full_refresh},
    }


def report(facts: dict, where: str) -> None:
    log(f"published {where} in {facts['seconds']} s")
    for table, count in sorted(facts["raw_rows"].items()):
        parts = ", ".join(f"{d} {n}" for d, n in sorted(facts["raw_dispositions"][table].items()) if n)
        done = facts["records_processed"].get(table)
        tonight = (f"; this night read {done['read']} of its {done['records']} keyed records, {done['changed']} changed"
                   if done else "; rebuilt whole")
        log(f"  raw {table}: {count} rows ({parts}){tonight}")
    log(f"  rejected records: {facts['rejected_records']} (see audit_rejected_records)")
    closed = facts["months_newly_closed"]
    log(f"  months newly closed: {len(closed)}"
        + (f" ({closed[0]} .. {closed[-1]})" if closed else ""))
    restated = facts["months_restated"]
    log(f"  months restated: {len(restated)}"
        + (" (" + ", ".join(f"{m}: {n} metrics" for m, n in restated.items()) + "; see audit_restatements)"
           if restated else ""))
    series = facts["series_recomputed"]
    if series["full_refresh"]:
        log("  customer series rebuilt whole (full refresh)")
    else:
        log(f"  customer series recomputed: {series['customers']} customers in every month, every customer "
            f"in {len(series['months'])} months" + (f" ({', '.join(series['months'])})" if series["months"] else ""))
