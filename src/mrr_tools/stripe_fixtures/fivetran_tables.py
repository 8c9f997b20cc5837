"""The tables Fivetran's Stripe connector writes, as far as the Stripe path reads them.

Column names and types follow the connector's documented schema (Stripe objects
flattened one table per object, amounts as integers in the currency's minor unit,
``subscription_history`` in history mode). A few columns the project does not read
are kept so that the fixtures look like the real thing.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

STRIPE_SCHEMA = "stripe"

STRIPE_TABLE_COLUMNS = {
    "customer": {
        "id": "varchar", "name": "varchar", "email": "varchar", "description": "varchar",
        "address_country": "varchar", "currency": "varchar", "delinquent": "boolean",
        "livemode": "boolean", "created": "timestamp", "is_deleted": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "product": {
        "id": "varchar", "name": "varchar", "active": "boolean", "type": "varchar",
        "created": "timestamp", "is_deleted": "boolean", "livemode": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "price": {
        "id": "varchar", "product_id": "varchar", "nickname": "varchar", "type": "varchar",
        "active": "boolean", "billing_scheme": "varchar", "recurring_interval": "varchar",
        "recurring_interval_count": "bigint", "recurring_usage_type": "varchar",
        "recurring_aggregate_usage": "varchar", "unit_amount": "bigint", "unit_amount_decimal": "varchar",
        "currency": "varchar", "created": "timestamp", "is_deleted": "boolean", "livemode": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "plan": {
        "id": "varchar", "product_id": "varchar", "nickname": "varchar", "active": "boolean",
        '"interval"': "varchar", "interval_count": "bigint", "usage_type": "varchar",
        "aggregate_usage": "varchar", "billing_scheme": "varchar", "amount": "bigint",
        "currency": "varchar", "created": "timestamp", "is_deleted": "boolean", "livemode": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "subscription_history": {
        "id": "varchar", "_fivetran_start": "timestamp", "_fivetran_end": "timestamp",
        "_fivetran_active": "boolean", "customer_id": "varchar", "status": "varchar",
        "created": "timestamp", "start_date": "timestamp", "billing_cycle_anchor": "timestamp",
        "trial_start": "timestamp", "trial_end": "timestamp", "cancel_at": "timestamp",
        "cancel_at_period_end": "boolean", "canceled_at": "timestamp", "current_period_start": "timestamp",
        "current_period_end": "timestamp", "ended_at": "timestamp", "livemode": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "subscription_item": {
        "id": "varchar", "subscription_id": "varchar", "plan_id": "varchar", "quantity": "bigint",
        "created": "timestamp", "current_period_start": "timestamp", "current_period_end": "timestamp",
        "_fivetran_synced": "timestamp",
    },
    "discount": {
        "id": "varchar", "type": "varchar", "type_id": "varchar", "coupon_id": "varchar",
        "customer_id": "varchar", "subscription_id": "varchar", "invoice_id": "varchar",
        "invoice_item_id": "varchar", "promotion_code": "varchar", '"start"': "timestamp",
        '"end"': "timestamp", "_fivetran_synced": "timestamp",
    },
    "coupon": {
        "id": "varchar", "name": "varchar", "percent_off": "double", "amount_off": "bigint",
        "currency": "varchar", "duration": "varchar", "duration_in_months": "bigint", "valid": "boolean",
        "created": "timestamp", "livemode": "boolean", "_fivetran_synced": "timestamp",
    },
    "invoice": {
        "id": "varchar", "customer_id": "varchar", "subscription_id": "varchar", "status": "varchar",
        "currency": "varchar", "created": "timestamp", "status_transitions_finalized_at": "timestamp",
        "status_transitions_paid_at": "timestamp", "due_date": "timestamp", "subtotal": "bigint",
        "tax": "bigint", "total": "bigint", "is_deleted": "boolean", "livemode": "boolean",
        "_fivetran_synced": "timestamp",
    },
    "invoice_line_item": {
        "id": "varchar", "invoice_id": "varchar", "subscription_id": "varchar",
        "subscription_item_id": "varchar", "plan_id": "varchar", "price_id": "varchar", "type": "varchar",
        "proration": "boolean", "amount": "bigint", "currency": "varchar", "description": "varchar",
        "quantity": "bigint", "period_start": "timestamp", "period_end": "timestamp",
        "discountable": "boolean", "livemode": "boolean", "_fivetran_synced": "timestamp",
    },
}


def write_stripe_tables(db_path: Path, tables: dict, schema: str = STRIPE_SCHEMA) -> None:
    """Create Fivetran's Stripe tables in ``schema`` and load ``tables`` (lists of dicts)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {schema}")
        for table, columns in STRIPE_TABLE_COLUMNS.items():
            ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
            con.execute(f"create or replace table {schema}.{table} ({ddl})")
            rows = [tuple(row.get(name.strip('"')) for name in columns) for row in tables.get(table, [])]
            one_row = "(" + ", ".join("?" for _ in columns) + ")"
            # Multi-row VALUES: executemany is an order of magnitude slower.
            for start in range(0, len(rows), 200):
                batch = rows[start:start + 200]
                con.execute(f"insert into {schema}.{table} values " + ", ".join([one_row] * len(batch)),
                            [value for row in batch for value in row])
    finally:
        con.close()
