"""Raw timestamps are UTC (spec section 1), whatever the machine's time zone.

A raw table may store its timestamps with a time zone (docs/contract.md). DuckDB
turns a `timestamp with time zone` into a plain timestamp in its session's
TimeZone, which defaults to the process's local zone: on a machine in New York an
item starting 2024-02-01 02:00 UTC became 2024-01-31 21:00 and counted a month
early. profiles.yml pins the session to UTC; this builds in a subprocess with
TZ=America/New_York to prove it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import duckdb

from dbt_harness import PROJECT_DIR, RAW_SCHEMA, write_raw_tables
from mrr_tools.random_histories import TABLE_COLUMNS

AS_OF = "2024-02-15"


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def raw_tables():
    created = utc("2023-12-01 00:00")
    return {
        "customers": [{"customer_id": "c_utc", "customer_name": "n", "country_code": "US", "segment": "smb",
                       "is_test": False, "created_at": created, "updated_at": created, "is_deleted": False}],
        "plans": [{"plan_id": "p_m", "plan_name": "Monthly", "product_name": "Core", "charge_type": "recurring",
                   "billing_interval": "month", "billing_interval_count": 1, "price": D("100"), "currency": "USD",
                   "updated_at": created, "is_deleted": False}],
        "subscriptions": [{"subscription_id": "s_utc", "customer_id": "c_utc", "status": "active",
                           "created_at": created, "started_at": utc("2024-02-01 02:00"),
                           "updated_at": created, "is_deleted": False}],
        # Starts two hours into February in UTC: 21:00 on 31 January in New York.
        "subscription_items": [{"subscription_item_id": "i_utc", "subscription_id": "s_utc", "plan_id": "p_m",
                                "quantity": 1, "valid_from": utc("2024-02-01 02:00"), "updated_at": created,
                                "is_deleted": False}],
        "invoices": [{"invoice_id": "inv_utc", "customer_id": "c_utc", "status": "paid", "currency": "USD",
                      "issued_at": utc("2024-02-01 02:00"), "updated_at": utc("2024-02-01 02:00"),
                      "is_deleted": False}],
        "invoice_lines": [{"invoice_line_id": "l_utc", "invoice_id": "inv_utc", "line_type": "usage",
                           "quantity": D("1"), "amount": D("10"), "updated_at": utc("2024-02-01 02:00")}],
        "fx_rates": [],
    }


def test_timestamps_with_time_zone_are_read_as_utc(tmp_path):
    columns = {table: {name: ("timestamptz" if sql_type == "timestamp" else sql_type)
                       for name, sql_type in table_columns.items()}
               for table, table_columns in TABLE_COLUMNS.items()}
    assert "timestamptz" in columns["subscription_items"].values()
    db = tmp_path / "utc.duckdb"
    write_raw_tables(db, raw_tables(), table_columns=columns)

    env = dict(os.environ, TZ="America/New_York", MRR_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(PROJECT_DIR),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False", MRR_TARGET="duckdb")
    dbt = str(Path(sys.executable).with_name("dbt"))
    run = subprocess.run(
        [dbt, "run", "--select", "+fct_mrr", "+fct_revenue", "--exclude", "resource_type:seed",
         "--vars", json.dumps({"billing_schema": RAW_SCHEMA, "as_of_date": AS_OF}),
         "--project-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--no-partial-parse"],
        env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    con = duckdb.connect(str(db), read_only=True)
    try:
        mrr = con.execute("select month, movement_type, mrr from main.fct_mrr order by month").fetchall()
        revenue = con.execute(
            "select month, total_revenue from main.fct_revenue where total_revenue <> 0 order by month").fetchall()
    finally:
        con.close()
    assert mrr == [(date(2024, 2, 1), "new", D("100"))], mrr
    assert revenue == [(date(2024, 2, 1), D("10"))], revenue
