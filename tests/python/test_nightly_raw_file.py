"""The nightly job (scripts/nightly.py) with the raw data in a DuckDB file of its
own (env MRR_DUCKDB_RAW_PATH, attached read-only by profiles.yml) and the
personal data in another (docs/access.md), with the role vars set (DuckDB
ignores grants):

- the published file holds the marts and no raw table and no personal column;
  the restricted file beside it holds the contacts;
- a loader, a night and a dashboard holding the published file open all run at
  once, and each succeeds: the loader writes a new raw file and renames it over
  the old one (a night keeps reading the file it attached), the reader keeps
  reading the file it opened;
- a night killed with kill -9 in the middle of its build leaves the published
  files exactly as they were, and the next night publishes, with the rows the
  loader delivered.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dbt_harness import write_raw_tables
from mrr_tools.random_histories import generate
from raw_contract import raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
PERSONAL = re.compile(r"(^|_)(e_?mail|customer_name|phone|address)(_|$)")
LOADER = """
import shutil, sys, duckdb
raw, new = sys.argv[1], sys.argv[1] + ".loading"
shutil.copyfile(raw, new)  # nobody writes the raw file: a night only reads it
connection = duckdb.connect(new)
# As new as the newest delivered row, so an incremental night reads it.
(day,) = connection.execute("select max(updated_at) from raw_billing.customers").fetchone()
connection.execute("insert into raw_billing.customers (customer_id, customer_name, country_code, segment, "
                   "is_test, created_at, updated_at, is_deleted) values ('c_loaded', 'Loaded Ltd', 'DE', 'smb', "
                   "false, ?, ?, false)", [day, day])
connection.close()
import os; os.replace(new, raw)  # the next night reads the new file
"""


def _night(published: Path, raw: Path, variables: dict, wait=True):
    command = [sys.executable, str(PROJECT_DIR / "scripts" / "nightly.py"), "--published", str(published),
               "--skip-freshness", "--vars", json.dumps(variables),
               "--", "--exclude", "resource_type:unit_test", "resource_type:seed", "--quiet"]
    env = {**os.environ, "MRR_DUCKDB_RAW_PATH": str(raw)}
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(path: Path) -> dict[str, list[str]]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        rows = connection.execute("select table_schema || '.' || table_name, column_name "
                                  "from information_schema.columns").fetchall()
    finally:
        connection.close()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    work = tmp_path_factory.mktemp("raw_file")
    raw = work / "raw" / "billing.duckdb"
    raw.parent.mkdir()
    history = generate(31)
    write_raw_tables(raw, history.tables)
    published = work / "published" / "mrr.duckdb"
    # With the role vars set, as on PostgreSQL: DuckDB has no roles, dbt-duckdb
    # warns once and builds.
    variables = {"billing_database": "raw", "billing_schema": "raw_billing", **history.variables(),
                 "mrr_reader_role": "mrr_reader", "mrr_restricted_role": "mrr_restricted"}
    status, output = _night(published, raw, variables)
    assert status == 0, output
    assert "Grants for relations are not supported by DuckDB" in _read(published.with_name("mrr.work") / "logs"
                                                                        / "dbt.log")
    return published, raw, variables


def test_published_file_holds_no_raw_or_personal_data(layout):
    published, raw, _variables = layout
    tables = _tables(published)
    assert "main.fct_mrr" in tables and "main.dim_customers" in tables
    raw_names = set(raw_tables())
    assert not [t for t in tables if t.split(".")[1] in raw_names], "raw tables were copied into the published file"
    personal = [f"{t}.{c}" for t, columns in tables.items() for c in columns if PERSONAL.search(c.lower())]
    assert not personal, personal
    restricted = published.with_name("mrr.restricted.duckdb")
    assert list(_tables(restricted)) == ["main_restricted.restricted_customer_contacts"]
    assert not published.with_name("mrr.build.duckdb").exists()


def test_loader_night_and_reader_at_once_then_a_killed_night(layout):
    published, raw, variables = layout
    restricted = published.with_name("mrr.restricted.duckdb")
    # A dashboard opens the published file and keeps it open all along.
    reader = duckdb.connect(str(published), read_only=True)
    try:
        before = reader.execute("select count(*) from main.dim_customers").fetchone()[0]
        night = _started_building(published, raw, variables, models=1)
        # The night has the raw file attached: the loader writes a new one beside it.
        loader = subprocess.run([sys.executable, "-c", LOADER, str(raw)],
                                capture_output=True, text=True, timeout=120)
        assert loader.returncode == 0, loader.stderr
        assert reader.execute("select count(*) from main.dim_customers").fetchone()[0] == before
        output, _ = night.communicate(timeout=600)
        assert night.returncode == 0, output
        assert reader.execute("select count(*) from main.dim_customers").fetchone()[0] == before
    finally:
        reader.close()

    # kill -9 in the middle of the build: the night and its dbt, at once.
    published_before, restricted_before = _digest(published), _digest(restricted)
    night = _started_building(published, raw, variables, models=3)
    os.killpg(night.pid, signal.SIGKILL)
    night.wait(timeout=60)
    assert night.returncode == -signal.SIGKILL
    assert (_digest(published), _digest(restricted)) == (published_before, restricted_before)

    # The next night starts over, publishes, and reads the loaded customer.
    status, output = _night(published, raw, variables)
    assert status == 0, output
    contacts = duckdb.connect(str(restricted), read_only=True)
    try:
        loaded = contacts.execute("select customer_name from main_restricted.restricted_customer_contacts "
                                  "where customer_id = 'c_loaded'").fetchall()
    finally:
        contacts.close()
    assert loaded == [("Loaded Ltd",)]


    assert not [p.name for p in published.parent.iterdir() if ".build" in p.name]


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _started_building(published: Path, raw: Path, variables: dict, models: int):
    """A night started in the background, once its dbt build has created ``models`` models."""
    log = published.with_name("mrr.work") / "logs" / "dbt.log"
    start = len(_read(log))
    night = _night(published, raw, variables, wait=False)
    deadline = time.monotonic() + 300
    while night.poll() is None and time.monotonic() < deadline and _read(log)[start:].count("OK created") < models:
        time.sleep(0.1)
    assert night.poll() is None, "the night ended too early: " + night.communicate()[0]
    return night
