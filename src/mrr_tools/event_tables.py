"""The table ``subscription_events`` (billing_source: events), as declared in
models/staging/events/_events__sources.yml, and writers for DuckDB and Spark."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from mrr_tools.raw_loading import write_duckdb, write_spark
from mrr_tools.raw_tables import ROOT

EVENTS_SCHEMA = "events"
SOURCES_YML = ROOT / "models" / "staging" / "events" / "_events__sources.yml"


@cache
def _declared() -> tuple[tuple[str, str], ...]:
    document = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    (events,) = [source for source in document["sources"] if source["name"] == "events"]
    (table,) = events["tables"]
    return tuple((column["name"], column["data_type"]) for column in table["columns"])


def event_columns() -> dict[str, str]:
    """{column: data_type} of subscription_events, in the YAML's order."""
    return dict(_declared())


def write_events_duckdb(db_path: Path, events: list[dict], schema: str = EVENTS_SCHEMA,
                        columns: dict | None = None) -> None:
    """Create ``schema.subscription_events`` in ``db_path`` and load ``events``
    (``columns`` replaces the declared types, e.g. every column as varchar)."""
    write_duckdb(db_path, {"subscription_events": events}, schema=schema,
                 table_columns={"subscription_events": columns or event_columns()})


def write_events_spark(spark, events: list[dict], schema: str = EVENTS_SCHEMA) -> None:
    """The same as table ``schema.subscription_events`` of the given Spark session."""
    write_spark(spark, {"subscription_events": events}, schema,
                table_columns={"subscription_events": event_columns()})
