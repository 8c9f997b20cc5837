#!/usr/bin/env python3
"""The scheduled (nightly) run on DuckDB: write, audit, publish.

    .venv/bin/python scripts/nightly.py [--published PATH] [--vars YAML] [-- DBT BUILD ARGS]
    make nightly NIGHTLY_ARGS='--vars "{as_of_date: 2026-11-24}"'

1. Takes a lock next to the published database; a second run started while one
   holds it stops at once (exit 75) and changes nothing.
2. Starts the build database from a copy of the last published (green) one, so a
   failed night leaves no trace and re-running a night is idempotent.
3. Checks source freshness (stale sources warn; a freshness error stops the run).
4. Builds and tests everything with `dbt build` into the build database (every
   model and data test; unit tests only with --unit-tests). Readers
   never open that file: DuckDB lets one process hold a file for writing, and the
   build holds it for the whole run.
5. Only when every error-severity test passed: copies the build database next to
   the published one and renames it into place (an atomic switch). Dashboards
   keep reading the previous file until they reconnect; they never see a half-built
   state, and are never locked out.
6. Prints a summary: raw rows per table and where they went, rejects, months
   newly closed and months restated.

Exit codes (for cron, Airflow, Dagster): 0 published; 1 build or tests failed,
nothing published; 2 freshness check failed, nothing built; 75 another run holds
the lock. Anything printed after "nightly:" is meant for the scheduler's log.
"""
from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
EXIT_OK, EXIT_BUILD_FAILED, EXIT_FRESHNESS_FAILED, EXIT_LOCKED = 0, 1, 2, 75


def log(message: str) -> None:
    print(f"nightly: {message}", flush=True)


def default_published() -> Path:
    return Path(os.environ.get("MRR_PUBLISHED_PATH", PROJECT_DIR / "published" / "mrr.duckdb"))


class Lock:
    """An exclusive, non-blocking flock on PATH; released when the process ends."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        self.handle.flush()
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "unknown"
        except OSError:
            return "unknown"


def dbt(*args: str, env: dict, work: Path) -> int:
    command = [str(Path(sys.executable).parent / "dbt"), *args,
               "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    return subprocess.call(command, env=env, cwd=PROJECT_DIR)


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so a plain file copy is complete."""
    import duckdb
    connection = duckdb.connect(str(path))
    try:
        connection.execute("checkpoint")
    finally:
        connection.close()


def copy_atomically(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def summary(published: Path) -> dict:
    import duckdb
    connection = duckdb.connect(str(published), read_only=True)
    try:
        def rows(query):
            return connection.execute(query).fetchall()
        raw = {}
        for table, disposition, count in rows(
                "select source_table, disposition, row_count from main.audit_raw_row_accounting order by 1, 2"):
            raw.setdefault(table, {})[disposition] = int(count)
        newest = rows("select max(published_at) from main.fct_monthly_metrics_closed")[0][0]
        closed_now = rows("select distinct month from main.fct_monthly_metrics_closed "
                          "where published_at = (select max(published_at) from main.fct_monthly_metrics_closed) "
                          "order by month") if newest else []
        restated = rows("select month, count(*) from main.audit_restatements group by month order by month")
        return {
            "raw_rows": {table: sum(counts.values()) for table, counts in raw.items()},
            "raw_dispositions": raw,
            "rejected_records": rows("select count(*) from main.audit_rejected_records")[0][0],
            "months_closed_by_latest_publication": [str(month) for (month,) in closed_now],
            "months_restated": {str(month): int(count) for month, count in restated},
        }
    finally:
        connection.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--published", type=Path, default=default_published(),
                        help="the DuckDB file dashboards read (env MRR_PUBLISHED_PATH)")
    parser.add_argument("--vars", default=None, help="dbt --vars, e.g. '{as_of_date: 2026-11-24}'")
    parser.add_argument("--skip-freshness", action="store_true", help="do not run dbt source freshness")
    parser.add_argument("--unit-tests", action="store_true",
                        help="also run the dbt unit tests (left out by default: they test the models' logic on "
                             "fixed inputs, not the night's data; make test runs them)")
    parser.add_argument("dbt_args", nargs="*", help="extra arguments for dbt build (after --)")
    options = parser.parse_args(argv)

    published = options.published.resolve()
    build = published.with_name(published.stem + ".build" + published.suffix)
    work = published.with_name(published.stem + ".work")
    lock = Lock(published.with_name(published.name + ".lock"))
    if not lock.acquire():
        log(f"another nightly run is in progress ({lock.holder()}, lock {lock.path}); "
            "this run stopped at once and changed nothing")
        return EXIT_LOCKED

    started = time.monotonic()
    env = {**os.environ, "MRR_DUCKDB_PATH": str(build), "DBT_PROFILES_DIR": str(PROJECT_DIR),
           "MRR_TARGET": "duckdb", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    vars_args = ["--vars", options.vars] if options.vars else []

    # Write: always start from the last green state (or from nothing).
    for stale in (build, build.with_name(build.name + ".wal")):
        stale.unlink(missing_ok=True)
    if published.exists():
        shutil.copyfile(published, build)
        log(f"build database started from the published one ({published})")
    else:
        log("no published database yet: first run builds from scratch")

    # The raw tables must exist before their freshness can be checked: on the demo
    # data, `dbt build` seeds them, so freshness is checked after the seeds.
    if not options.skip_freshness:
        seeded = dbt("seed", "--quiet", *vars_args, env=env, work=work) if _uses_demo_seeds(options.vars) else 0
        freshness = dbt("source", "freshness", *vars_args, env=env, work=work) if seeded == 0 else seeded
        if freshness != 0:
            log(f"source freshness check failed (exit {freshness}); nothing built or published")
            return EXIT_FRESHNESS_FAILED

    # Audit: build and test; anything but green stops here.
    unit_tests = [] if options.unit_tests else ["--exclude", "resource_type:unit_test"]
    status = dbt("build", *vars_args, *unit_tests, *options.dbt_args, env=env, work=work)
    if status != 0:
        log(f"dbt build failed (exit {status}): a model or an error-severity test failed. "
            f"The published database is unchanged ({published}); fix the cause and run the night again.")
        return EXIT_BUILD_FAILED

    # Publish: an atomic switch to the new file.
    checkpoint(build)
    copy_atomically(build, published)
    facts = summary(published)
    facts["published"] = str(published)
    facts["seconds"] = round(time.monotonic() - started, 1)
    (published.with_name(published.stem + ".last_green.json")).write_text(json.dumps(facts, indent=2) + "\n")
    log(f"published {published} in {facts['seconds']} s")
    for table, count in sorted(facts["raw_rows"].items()):
        parts = ", ".join(f"{d} {n}" for d, n in sorted(facts["raw_dispositions"][table].items()) if n)
        log(f"  raw {table}: {count} rows ({parts})")
    log(f"  rejected records: {facts['rejected_records']} (see audit_rejected_records)")
    closed = facts["months_closed_by_latest_publication"]
    log(f"  months closed by the latest publication: {len(closed)}"
        + (f" ({closed[0]} .. {closed[-1]})" if closed else ""))
    restated = facts["months_restated"]
    log(f"  months restated: {len(restated)}"
        + (" (" + ", ".join(f"{m}: {n} metrics" for m, n in restated.items()) + "; see audit_restatements)"
           if restated else ""))
    return EXIT_OK


def _uses_demo_seeds(vars_text) -> bool:
    # The demo seeds are the source unless billing_schema or billing_database is set.
    return not vars_text or ("billing_schema" not in vars_text and "billing_database" not in vars_text)


if __name__ == "__main__":
    sys.exit(main())
