"""GA4's BigQuery export as it lands in DuckDB (billing_source: ga4; docs/events.md):
one table per day, ``events_YYYYMMDD`` or ``events_intraday_YYYYMMDD``, with
``event_params`` a list of structs. Rows are dicts with ``event_timestamp``
(a datetime, written as microseconds), ``event_name``, ``user_id``,
``user_pseudo_id`` and ``params`` ({key: value}); a value goes to the field GA4
would put it in: str -> string_value, int -> int_value, float -> double_value,
``Float(x)`` -> float_value, None -> no parameter."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

GA4_SCHEMA = "ga4"
PARAMS_TYPE = ("STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, "
               "float_value DOUBLE, double_value DOUBLE))[]")
COLUMNS = {"event_date": "VARCHAR", "event_timestamp": "BIGINT", "event_name": "VARCHAR",
           "event_params": PARAMS_TYPE, "user_id": "VARCHAR", "user_pseudo_id": "VARCHAR"}


class Float(float):
    """A number GA4 stored in float_value."""


def micros(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1_000_000)


def _text(value) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def _param(key, value) -> str:
    fields = {"string_value": None, "int_value": None, "float_value": None, "double_value": None}
    if isinstance(value, bool):
        fields["int_value"] = str(int(value))
    elif isinstance(value, Float):
        fields["float_value"] = repr(float(value))
    elif isinstance(value, int):
        fields["int_value"] = str(value)
    elif isinstance(value, float):
        fields["double_value"] = repr(value)
    else:
        fields["string_value"] = _text(value)
    inner = ", ".join(f"'{name}': {text or 'NULL'}" for name, text in fields.items())
    return f"{{'key': {_text(key)}, 'value': {{{inner}}}}}"


def _row(row) -> str:
    params = "[" + ", ".join(_param(k, v) for k, v in row.get("params", {}).items() if v is not None) + "]"
    return (f"({_text(row['event_timestamp'].strftime('%Y%m%d'))}, {micros(row['event_timestamp'])}, "
            f"{_text(row['event_name'])}, cast({params} as {PARAMS_TYPE}), {_text(row.get('user_id'))}, "
            f"{_text(row.get('user_pseudo_id'))})")


def write_ga4_duckdb(db_path: Path, tables: dict[str, list[dict]], schema: str = GA4_SCHEMA) -> None:
    """Create each table of ``tables`` ({table name: rows}) in ``schema``."""
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {schema}")
        ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMNS.items())
        for table, rows in tables.items():
            con.execute(f"create or replace table {schema}.{table} ({ddl})")
            for start in range(0, len(rows), 500):
                batch = rows[start:start + 500]
                con.execute(f"insert into {schema}.{table} values " + ", ".join(_row(r) for r in batch))
    finally:
        con.close()


def events_as_ga4(events: list[dict]) -> dict[str, list[dict]]:
    """Rows of ``subscription_events`` as GA4 day tables: each event in the table of
    the day it occurred, its fields as parameters (a renewal as a ``purchase``;
    whole values in int_value, others in double_value; ``effective_at`` as ISO 8601
    text). The last day with events is only in an intraday table, and the day before
    it in both a daily and an intraday table (with the same rows)."""
    tables: dict[str, list[dict]] = {}
    for event in events:
        name = event["event_name"]
        params = {key: event.get(key) for key in (
            "event_id", "subscription_id", "plan_id", "plan_name", "product_name", "country_code", "segment",
            "currency", "billing_interval", "billing_interval_count")}
        value = event.get("monthly_recurring_value")
        if value is not None:
            params["monthly_recurring_value"] = int(value) if value == int(value) else float(value)
        if event.get("effective_at") is not None:
            params["effective_at"] = event["effective_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
        if name and name.lower() == "subscription_renewed":
            name = "purchase"
        row = {"event_timestamp": event["occurred_at"], "event_name": name, "user_id": event.get("customer_id"),
               "user_pseudo_id": "pseudo", "params": params}
        tables.setdefault("events_" + event["occurred_at"].strftime("%Y%m%d"), []).append(row)
    days = sorted(tables)
    if len(days) >= 2:
        tables["events_intraday_" + days[-1][-8:]] = tables.pop(days[-1])
        tables["events_intraday_" + days[-2][-8:]] = list(tables[days[-2]])
    return tables
