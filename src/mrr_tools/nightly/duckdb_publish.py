"""A night on DuckDB: build into a copy of the published file, then rename it
over the published one when green (scripts/nightly.py, steps 1-6 for DuckDB)."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from mrr_tools.nightly import EXIT_BUILD_FAILED, EXIT_LOCKED, EXIT_OK, log
from mrr_tools.nightly.build import build_and_test
from mrr_tools.nightly.lock import Lock
from mrr_tools.nightly.summary import report, summary, utc_now_text


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


def duckdb_summary(published: Path, night_started: str, full_refresh: bool) -> dict:
    import duckdb
    connection = duckdb.connect(str(published), read_only=True)
    try:
        return summary(lambda query: connection.execute(query).fetchall(), "main", night_started, full_refresh)
    finally:
        connection.close()


def run_duckdb(options, project: Path) -> int:
    published = options.published.resolve()
    build = published.with_name(published.stem + ".build" + published.suffix)
    work = published.with_name(published.stem + ".work")
    lock = Lock(published.with_name(published.name + ".lock"))
    if not lock.acquire():
        log(f"another nightly run is in progress ({lock.holder()}, lock {lock.path}); "
            "this run stopped at once and changed nothing")
        return EXIT_LOCKED

    started, night_started = time.monotonic(), utc_now_text()
    env = {**os.environ, "MRR_DUCKDB_PATH": str(build), "DBT_PROFILES_DIR": str(project),
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

    stopped = build_and_test(options, env, work, f"The published database is unchanged ({published})", project)
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
