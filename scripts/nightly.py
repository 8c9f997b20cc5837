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
# Base tables whose rows carry processed_at and changed_at (all but fx_rates).
STAMPED_TABLES = ("customers", "plans", "subscriptions", "subscription_items", "invoices", "invoice_lines")


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
    # Partial parsing, whatever the caller's environment says (the Makefile turns it
    # off for one-off builds): the night's seed, freshness check and build share one
    # parse of the project in the job's own target path, and so does the next night
    # when the project files, vars and environment are the same. dbt parses again
    # whatever changed. A full parse is most of dbt's start-up.
    return subprocess.call(command, env={**env, "DBT_PARTIAL_PARSE": "True"}, cwd=PROJECT_DIR)


def restricted_file(path: Path) -> Path:
    """The personal data's file beside ``path`` (profiles.yml attaches it as `restricted`)."""
    return path.with_name(path.stem + ".restricted" + path.suffix)


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so a plain file copy is complete."""
    import duckdb
    connection = duckdb.connect(str(path))
    try:
        connection.execute("checkpoint")
    finally:
        connection.close()


def publish_atomically(build: Path, published: Path) -> None:
    """Rename the green build database over the published one (same folder, so one
    atomic step). Not a copy: the next night starts from a copy of the published file
    anyway, and a copy of a large file costs as long as it is large."""
    with open(build, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(build, published)
    try:
        directory = os.open(published.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
    except OSError as error:  # some network file systems refuse it; the switch is done
        log(f"warning: could not sync folder {published.parent} after publishing ({error})")


def reset_parse_if_needed(work: Path, full_parse: bool) -> None:
    """Drop the saved parse when asked (--full-parse) or when the project moved.

    dbt re-parses what changed in the project's files, vars and environment, but a
    seed keeps the absolute path of its CSV file: after a deploy into another folder
    the saved parse would read the old checkout's seeds.
    """
    saved = work / "target" / "partial_parse.msgpack"
    marker = work / "target" / "nightly_project_dir.txt"
    moved = marker.exists() and marker.read_text() != str(PROJECT_DIR)
    if (full_parse or moved) and saved.exists():
        saved.unlink()
        log("full parse of the project " + ("(--full-parse)" if full_parse else f"(project now at {PROJECT_DIR})"))
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(PROJECT_DIR))


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


def duckdb_summary(published: Path, night_started: str, full_refresh: bool) -> dict:
    import duckdb
    connection = duckdb.connect(str(published), read_only=True)
    try:
        return summary(lambda query: connection.execute(query).fetchall(), "main", night_started, full_refresh)
    finally:
        connection.close()


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


def build_and_test(options, env: dict, work: Path, unchanged: str) -> int | None:
    """Freshness, then `dbt build`; an exit code when the night must stop here."""
    vars_args = ["--vars", options.vars] if options.vars else []
    reset_parse_if_needed(work, options.full_parse)
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
            f"{unchanged}; fix the cause and run the night again.")
        return EXIT_BUILD_FAILED
    return None


def run_duckdb(options) -> int:
    published = options.published.resolve()
    build = published.with_name(published.stem + ".build" + published.suffix)
    work = published.with_name(published.stem + ".work")
    lock = Lock(published.with_name(published.name + ".lock"))
    if not lock.acquire():
        log(f"another nightly run is in progress ({lock.holder()}, lock {lock.path}); "
            "this run stopped at once and changed nothing")
        return EXIT_LOCKED

    started, night_started = time.monotonic(), utc_now_text()
    env = {**os.environ, "MRR_DUCKDB_PATH": str(build), "DBT_PROFILES_DIR": str(PROJECT_DIR),
           "MRR_DUCKDB_RESTRICTED_PATH": str(restricted_file(build)),
           "MRR_TARGET": "duckdb", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}

    # Write: always start from the last green state (or from nothing).
    pairs = ((build, published), (restricted_file(build), restricted_file(published)))
    for stale, _ in pairs:
        stale.unlink(missing_ok=True)
        stale.with_name(stale.name + ".wal").unlink(missing_ok=True)
    for target, source in pairs:
        if source.exists():
            shutil.copyfile(source, target)
    if published.exists():
        log(f"build database started from the published one ({published})")
    else:
        log("no published database yet: first run builds from scratch")

    stopped = build_and_test(options, env, work, f"The published database is unchanged ({published})")
    if stopped is not None:
        return stopped

    # Publish: an atomic switch to the new file, then the personal data's.
    for target, _ in pairs:
        checkpoint(target)
        wal = target.with_name(target.name + ".wal")
        if wal.exists() and wal.stat().st_size > 0:
            # Renamed without it, the published file would lack what is still in the log.
            log(f"{wal} is not empty after the checkpoint (another process holds {target}?); "
                f"nothing published. The published database is unchanged ({published}); run the night again.")
            return EXIT_BUILD_FAILED
    for target, source in pairs:
        publish_atomically(target, source)
    facts = duckdb_summary(published, night_started, "--full-refresh" in options.dbt_args)
    facts["published"] = str(published)
    facts["seconds"] = round(time.monotonic() - started, 1)
    (published.with_name(published.stem + ".last_green.json")).write_text(json.dumps(facts, indent=2) + "\n")
    report(facts, str(published))
    return EXIT_OK


# ----------------------------------------------------------------- PostgreSQL

def pg_connect():
    from mrr_tools.pg_connection import connect
    return connect()


def pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_family(cursor, prefix: str) -> list[str]:
    """Schema ``prefix`` and every schema dbt derives from it (``prefix_<suffix>``,
    e.g. the demo seeds' ``<schema>_billing_raw``) that exists."""
    cursor.execute("select nspname from pg_namespace where nspname = %s or left(nspname, %s) = %s "
                   "order by nspname", (prefix, len(prefix) + 1, prefix + "_"))
    return [name for (name,) in cursor.fetchall()]


def pg_lock(connection, published: str) -> bool:
    """A session-level advisory lock on the published schema's name (not on a table:
    readers are never blocked). It ends with the session, also when a run is killed."""
    with connection.cursor() as cursor:
        cursor.execute("select pg_try_advisory_lock(hashtext('mrr nightly'), hashtext(%s))", (published,))
        (locked,) = cursor.fetchone()
    connection.commit()
    return bool(locked)


def pg_lock_holder(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("select l.pid, a.backend_start from pg_locks as l "
                       "join pg_stat_activity as a on a.pid = l.pid "
                       "where l.locktype = 'advisory' and l.granted and l.pid <> pg_backend_pid() "
                       "and l.classid = (hashtext('mrr nightly')::bigint & 4294967295)::oid "
                       "order by a.backend_start limit 1")
        row = cursor.fetchone()
    connection.commit()
    return f"pid {row[0]} since {row[1]:%Y-%m-%d %H:%M:%S %Z}" if row else "a session that just ended"


def pg_prepare_staging(connection, published: str, staging: str, retired: str) -> int:
    """Empty staging schema(s), then a copy of every table of the published schema."""
    with connection.cursor() as cursor:
        for name in pg_family(cursor, staging) + pg_family(cursor, retired):
            cursor.execute(f"drop schema {pg_ident(name)} cascade")
        cursor.execute(f"create schema {pg_ident(staging)}")
        cursor.execute("select tablename from pg_tables where schemaname = %s "
                       "and tablename not like '%%\\_\\_dbt\\_%%' order by tablename", (published,))
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            source, copy = f"{pg_ident(published)}.{pg_ident(table)}", f"{pg_ident(staging)}.{pg_ident(table)}"
            cursor.execute(f"create table {copy} (like {source} including all)")
            cursor.execute(f"insert into {copy} select * from {source}")
            # A new table has no statistics until autovacuum gets to it: without them
            # the planner takes the incremental models' joins for one-row joins.
            cursor.execute(f"analyze {copy}")
    connection.commit()
    return len(tables)


def pg_schema_readers(work: Path) -> dict[str, set[str]]:
    """{schema: roles} from the night's manifest: every role that dbt's `grants`
    config gives a privilege on a model in that schema (vars mrr_reader_role,
    mrr_restricted_role). dbt grants on relations, not on schemas."""
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    readers: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["config"].get("enabled", True):
            for roles in (node["config"].get("grants") or {}).values():
                readers.setdefault(node["schema"], set()).update([roles] if isinstance(roles, str) else roles)
    return readers


def pg_swap(connection, published: str, staging: str, retired: str,
            readers: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Staging schema(s) in place of the published ones, each usable by its
    readers, in one transaction."""
    with connection.cursor() as cursor:
        renames = [(name, published + name[len(staging):]) for name in pg_family(cursor, staging)]
        for _name, target in renames:
            cursor.execute("select 1 from pg_namespace where nspname = %s", (target,))
            if cursor.fetchone():
                cursor.execute(f"alter schema {pg_ident(target)} rename to "
                               f"{pg_ident(retired + target[len(published):])}")
        for name, target in renames:
            cursor.execute(f"alter schema {pg_ident(name)} rename to {pg_ident(target)}")
            for role in sorted(readers.get(name, ())):
                cursor.execute(f"grant usage on schema {pg_ident(target)} to {pg_ident(role)}")
    connection.commit()
    return renames


def pg_drop_retired(connection, retired: str) -> None:
    # After the switch: dropping waits for queries still reading the old tables.
    with connection.cursor() as cursor:
        cursor.execute("set lock_timeout = '10min'")
        for name in pg_family(cursor, retired):
            cursor.execute(f"drop schema {pg_ident(name)} cascade")
    connection.commit()


def run_postgres(options) -> int:
    published = options.schema
    staging, retired = published + "__staging", published + "__retired"
    work = PROJECT_DIR / "target" / f"nightly-postgres-{published}"
    connection = pg_connect()
    try:
        if not pg_lock(connection, published):
            log(f"another nightly run is in progress on schema {published} (advisory lock held by "
                f"{pg_lock_holder(connection)}); this run stopped at once and changed nothing")
            return EXIT_LOCKED
        started, night_started = time.monotonic(), utc_now_text()
        copied = pg_prepare_staging(connection, published, staging, retired)
        log(f"staging schema {staging} started from {copied} tables of the published schema {published}"
            if copied else f"no published schema {published} yet: first run builds from scratch into {staging}")
        # PGTZ: libpq's session time zone, so raw timestamps with a time zone are
        # read as UTC (docs/contract.md); a value already set is kept.
        env = {**os.environ, "MRR_TARGET": "postgres", "MRR_PG_SCHEMA": staging,
               "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
               "PGTZ": os.environ.get("PGTZ", "UTC")}
        stopped = build_and_test(options, env, work,
                                 f"The published schema {published} is unchanged (the failed build is left "
                                 f"in {staging} to look at; the next run replaces it)")
        if stopped is not None:
            return stopped

        renames = pg_swap(connection, published, staging, retired, pg_schema_readers(work))
        log("switched " + ", ".join(f"{name} -> {target}" for name, target in renames) + " in one transaction")
        pg_drop_retired(connection, retired)

        def rows(query):
            with connection.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetchall()
        facts = summary(rows, pg_ident(published), night_started, "--full-refresh" in options.dbt_args)
        connection.commit()
        facts["published"] = f"{os.environ.get('MRR_PG_DATABASE', 'mrr')}.{published}"
        facts["seconds"] = round(time.monotonic() - started, 1)
        work.mkdir(parents=True, exist_ok=True)
        (work / "last_green.json").write_text(json.dumps(facts, indent=2) + "\n")
        report(facts, f"schema {facts['published']}")
        return EXIT_OK
    finally:
        connection.close()  # ends the session and with it the advisory lock


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
    return run_postgres(options) if options.target == "postgres" else run_duckdb(options)


def _uses_demo_seeds(vars_text) -> bool:
    # The demo seeds are the source unless billing_schema or billing_database is set.
    return not vars_text or ("billing_schema" not in vars_text and "billing_database" not in vars_text)


if __name__ == "__main__":
    sys.exit(main())
