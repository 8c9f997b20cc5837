"""A night on PostgreSQL: build into staging schemas, then swap them for the
published ones in one transaction when green (scripts/nightly.py, PostgreSQL)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from mrr_tools.nightly import EXIT_LOCKED, EXIT_OK, log
from mrr_tools.nightly.build import build_and_test
from mrr_tools.nightly.summary import report, summary, utc_now_text


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


def run_postgres(options, project: Path) -> int:
    published = options.schema
    staging, retired = published + "__staging", published + "__retired"
    work = project / "target" / f"nightly-postgres-{published}"
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
               "DBT_PROFILES_DIR": str(project), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
               "PGTZ": os.environ.get("PGTZ", "UTC")}
        stopped = build_and_test(options, env, work,
                                 f"The published schema {published} is unchanged (the failed build is left "
                                 f"in {staging} to look at; the next run replaces it)", project)
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
