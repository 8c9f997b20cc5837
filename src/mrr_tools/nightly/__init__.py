"""The nightly job's parts; scripts/nightly.py is its command line and says what
a night does. One module per job: the lock (lock), the dbt steps both back ends
share (build), publishing on DuckDB (duckdb_publish) and on PostgreSQL
(postgres_swap), and the night's summary (summary)."""
from __future__ import annotations

EXIT_OK, EXIT_BUILD_FAILED, EXIT_FRESHNESS_FAILED, EXIT_LOCKED = 0, 1, 2, 75


def log(message: str) -> None:
    print(f"nightly: {message}", flush=True)
