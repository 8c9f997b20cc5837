#!/usr/bin/env python3
"""The scheduled (nightly) run: write, audit, publish. DuckDB by default,
PostgreSQL with --target postgres.

    .venv/bin/python scripts/nightly.py [--published PATH] [--vars YAML] [-- DBT BUILD ARGS]
    .venv-postgres/bin/python scripts/nightly.py --target postgres [--schema NAME] [--vars YAML] [-- ...]
    make nightly NIGHTLY_ARGS='--vars "{as_of_date: 2026-11-24}"'

DuckDB (a file BI reads):
1. Takes a lock next to the published database; a second run started while one
   holds it stops at once (exit 75) and changes nothing.
2. Starts the build database from a copy of the last published (green) one, so a
   failed night leaves no trace and re-running a night is idempotent.
3. Checks source freshness (stale sources warn; a freshness error stops the run).
4. Builds and tests everything with `dbt build` into the build database (every
   model and data test; unit tests only with --unit-tests). Readers
   never open that file: DuckDB lets one process hold a file for writing, and the
   build holds it for the whole run.
5. Only when every error-severity test passed: renames the build database (next
   to the published one) over it (an atomic switch), then the personal data's
   build file over `<published>.restricted.duckdb` (docs/access.md). Dashboards
   keep reading the previous file until they reconnect; they never see a half-built
   state, and are never locked out. Raw data in a file of its own
   (MRR_DUCKDB_RAW_PATH) is attached read-only by each dbt command, never copied.
6. Prints a summary: raw rows per table and where they went, rejects, months
   newly closed and months restated, and how many records each base table read.
   A raw row the build did not read fails the test
   assert_every_raw_row_accounted_for, so such a night publishes nothing.

PostgreSQL (a schema BI reads, `--schema`, default $MRR_PG_SCHEMA or analytics):
1. Takes a session-level pg_try_advisory_lock on the published schema's name; a
   second run stops at once (exit 75) and changes nothing. The lock goes with the
   session, so a killed run never leaves a stale lock behind.
2. Drops the staging schema `<schema>__staging` (and `<schema>__staging_*`, e.g.
   the demo seeds) left by an earlier failed night and recreates it with a copy of
   every table of the published schema: the incremental models and the published
   history carry over, so re-running a night is idempotent.
3. and 4. Freshness, then `dbt build` into the staging schema(s).
5. Only when green: in one transaction renames each published schema to
   `<schema>__retired...` and each staging schema to its published name, grants
   USAGE on each to the roles dbt's `grants` config gave SELECT there (vars
   mrr_reader_role, mrr_restricted_role; docs/access.md), then drops the retired
   ones. The tables carry their grants from the build; a staging schema nobody
   may use keeps an unaudited or failed night unreadable. Readers see the old
   schema or the new one, never a mix; a query already running finishes on the
   old tables.
6. The same summary, read from the published schema.

Exit codes (for cron, Airflow, Dagster): 0 published; 1 build or tests failed,
nothing published; 2 freshness check failed, nothing built; 75 another run holds
the lock. Anything printed after "nightly:" is meant for the scheduler's log.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mrr_tools.nightly import EXIT_BUILD_FAILED, EXIT_FRESHNESS_FAILED, EXIT_LOCKED, EXIT_OK  # noqa: F401
from mrr_tools.nightly.duckdb_publish import run_duckdb
from mrr_tools.nightly.postgres_swap import run_postgres

# The project this copy of the script belongs to (a deploy may copy it elsewhere).
PROJECT_DIR = Path(__file__).resolve().parents[1]


def default_published() -> Path:
    return Path(os.environ.get("MRR_PUBLISHED_PATH", PROJECT_DIR / "published" / "mrr.duckdb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb",
                        help="duckdb (a published file) or postgres (a published schema; MRR_PG_* env vars)")
    parser.add_argument("--published", type=Path, default=default_published(),
                        help="duckdb: the file dashboards read (env MRR_PUBLISHED_PATH)")
    parser.add_argument("--schema", default=os.environ.get("MRR_PG_SCHEMA", "analytics"),
                        help="postgres: the schema dashboards read (env MRR_PG_SCHEMA, default analytics)")
    parser.add_argument("--vars", default=None, help="dbt --vars, e.g. '{as_of_date: 2026-11-24}'")
    parser.add_argument("--skip-freshness", action="store_true", help="do not run dbt source freshness")
    parser.add_argument("--full-parse", action="store_true",
                        help="parse the project from scratch (by default dbt reuses the last night's parse "
                             "for what did not change)")
    parser.add_argument("--unit-tests", action="store_true",
                        help="also run the dbt unit tests (left out by default: they test the models' logic on "
                             "fixed inputs, not the night's data; make test runs them)")
    parser.add_argument("dbt_args", nargs="*", help="extra arguments for dbt build (after --)")
    options = parser.parse_args(argv)
    return run_postgres(options, PROJECT_DIR) if options.target == "postgres" else run_duckdb(options, PROJECT_DIR)


if __name__ == "__main__":
    sys.exit(main())
