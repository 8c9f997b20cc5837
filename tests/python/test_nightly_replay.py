"""Nightly incremental runs replayed on a seeded random dirty history.

The history of mrr_tools.random_histories is delivered night by night
(replay_schedule.py: new records, rows a night or two late, rows delivered two to
three weeks after their updated_at, re-delivered copies and older versions, a test
flag set and cleared, soft deletes, a voided invoice, an FX rate added and one
corrected, a night with no new data). After each night the incremental nightly
build (every model and data test, that night's as_of_date) must be green, every
row of every mart and base table must equal a full refresh of the same raw data
built into a separate database, and the marts must equal the independent Python
reference. The rows delivered weeks late are read the night they arrive (without
them the marts would differ), and the night with no new data reads and rewrites
no record.

DuckDB by default (part of `make test`). MRR_REPLAY_TARGET=postgres runs it on the
PostgreSQL of scripts/test_postgres.sh (MRR_PG_* env vars), MRR_REPLAY_NIGHTS=1,2,4,5
runs fewer nights, MRR_REPLAY_SEED another history.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from dbt_harness import _environment
from mrr_tools import pg_connection
from mrr_tools.random_histories import TABLE_COLUMNS
from reference.compare import report
from reference.mrr_reference import compute
from replay_schedule import cumulative, schedule

PROJECT_DIR = Path(__file__).resolve().parents[2]

TARGET = os.environ.get("MRR_REPLAY_TARGET", "duckdb")
SEED = int(os.environ.get("MRR_REPLAY_SEED", "21"))
NIGHTS = [int(n) for n in os.environ.get("MRR_REPLAY_NIGHTS", "1,2,3,4,5").split(",")]

COMPARED_MARTS = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "audit_rejected_records",
                  "dim_customers", "fct_mrr_by_plan", "fct_cohort_retention")
# First-published figures and their restatements depend on every earlier night by
# design: a full refresh keeps them (full_refresh: false), a fresh database has none.
HISTORY_MODELS = ("fct_monthly_metrics_closed", "fct_monthly_metrics_reported", "audit_restatement_log",
                  "audit_restatements", "fct_mrr_forecast_closed")
NIGHTLY_BUILD = ["build", "--exclude", "resource_type:seed", "resource_type:unit_test"]
# Each night's build runs every model and the singular data tests (the bridge, every
# raw row accounted for: no raw row left unread, ...); the ~220 generic tests (grain,
# not null, accepted values) run on night 4 only: they cost more than the models on
# this small data and the row-by-row comparisons below check far more each night.
FULL_TESTS_NIGHT = 4
# The comparison build: models only (no data tests), without the published history.
FULL_REFRESH = ["build", "--full-refresh", "--exclude", "resource_type:seed", "resource_type:unit_test",
                "resource_type:test", "fct_monthly_metrics_closed+", "audit_restatement_log+",
                "fct_mrr_forecast_closed"]


class DuckWarehouse:
    """One DuckDB file. Every file is named mrr.duckdb (its own directory), so the
    database name dbt parses is the same and one parsed manifest serves both."""

    raw_schema = "raw_billing"

    def __init__(self, root: Path, name: str):
        self.name = name
        self.path = root / name / "mrr.duckdb"
        self.env = {"MRR_TARGET": "duckdb", "MRR_DUCKDB_PATH": str(self.path)}
        self.manifest_key = "duckdb"

    def reset(self):
        shutil.rmtree(self.path.parent, ignore_errors=True)
        self.path.parent.mkdir(parents=True)

    def write_raw(self, tables: dict):
        from dbt_harness import write_raw_tables
        write_raw_tables(self.path, tables, self.raw_schema)

    def query(self, sql: str):
        import duckdb
        connection = duckdb.connect(str(self.path))  # plain: read_only fails after in-process dbt
        try:
            cursor = connection.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            connection.close()

    def relation(self, name: str) -> str:
        return f"main.{name}"


class PostgresWarehouse:
    """One schema of the PostgreSQL database the MRR_PG_* env vars point at, with
    its raw tables in schema <name>_raw."""

    def __init__(self, root: Path, name: str):
        self.name = name
        self.schema = f"replay_{name}"
        self.raw_schema = f"replay_{name}_raw"
        self.env = {"MRR_TARGET": "postgres", "MRR_PG_SCHEMA": self.schema}
        self.manifest_key = self.schema  # the schema is part of what dbt parses

    def _connect(self):
        return pg_connection.connect()

    def reset(self):
        connection = self._connect()
        with connection, connection.cursor() as cursor:
            cursor.execute(f"drop schema if exists {self.schema} cascade")
            cursor.execute(f"drop schema if exists {self.raw_schema} cascade")
        connection.close()

    def write_raw(self, tables: dict):
        from psycopg2.extras import execute_values
        connection = self._connect()
        with connection, connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {self.raw_schema}")
            for table, columns in TABLE_COLUMNS.items():
                ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
                cursor.execute(f"drop table if exists {self.raw_schema}.{table}")
                cursor.execute(f"create table {self.raw_schema}.{table} ({ddl})")
                rows = [tuple(row.get(name) for name in columns) for row in tables.get(table, [])]
                if rows:
                    execute_values(cursor, f"insert into {self.raw_schema}.{table} values %s", rows, page_size=500)
        connection.close()

    def query(self, sql: str):
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            connection.close()

    def relation(self, name: str) -> str:
        return f"{self.schema}.{name}"


class Replay:
    """Runs the nights in order against an incremental and a full-refresh warehouse."""

    def __init__(self, work: Path):
        self.work = work
        self.history, self.nights = schedule(SEED)
        make = PostgresWarehouse if TARGET == "postgres" else DuckWarehouse
        self.incremental, self.full = make(work, "incremental"), make(work, "full")
        self.incremental.reset()
        self.manifests = {}
        self.completed = []
        self.timings = {}

    def variables(self, warehouse, night) -> dict:
        return {"billing_schema": warehouse.raw_schema,
                **self.history.variables(as_of_date=night.as_of.isoformat())}

    def dbt(self, warehouse, args: list, night):
        dbt_vars = json.dumps(self.variables(warehouse, night))
        paths = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                 "--target-path", str(self.work / f"target-{warehouse.name}"),
                 "--log-path", str(self.work / f"logs-{warehouse.name}"), "--quiet"]
        env = {**warehouse.env, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
        with _environment(**env):
            # Parsing costs more than a night's build on this small data: parse once per
            # warehouse and hand the manifest to every later invocation (vars such as
            # as_of_date are applied when a model is compiled, i.e. on every run).
            if warehouse.manifest_key not in self.manifests:
                parsed = dbtRunner().invoke(["parse", "--no-partial-parse", *paths, "--vars", dbt_vars])
                assert parsed.success, f"dbt parse failed: {parsed.exception}"
                self.manifests[warehouse.manifest_key] = parsed.result
            result = dbtRunner(manifest=self.manifests[warehouse.manifest_key]).invoke(
                [*args, *paths, "--vars", dbt_vars])
        nodes = getattr(result.result, "results", None) or []
        broken = [f"{n.status}: {n.node.unique_id}: {n.message}" for n in nodes
                  if str(n.status) in ("error", "fail", "skipped", "runtime error")]
        assert result.exception is None and not broken and (result.success or nodes), (
            f"night {night.number}: dbt {' '.join(args)} on {warehouse.name} failed "
            f"({result.exception}):\n" + "\n".join(broken[:20]))
        return {n.node.unique_id: n for n in nodes}

    def compared_relations(self) -> list[tuple[str, bool]]:
        """(model, is_base) for every mart and base table a full refresh rebuilds."""
        manifest = next(iter(self.manifests.values()))
        out = []
        for node in manifest.nodes.values():
            path = node.original_file_path
            if node.resource_type.value != "model" or node.config.materialized == "view":
                continue
            # The restricted models live apart (schema <schema>_restricted, on DuckDB a
            # file of their own: docs/access.md) and are tables rebuilt whole each night
            # from the raw table and stg_billing__customers, whose base is compared here.
            if path.startswith("models/marts/restricted/"):
                continue
            if path.startswith("models/marts/") and node.name not in HISTORY_MODELS:
                out.append((node.name, False))
            elif path.startswith("models/staging/billing/base/"):
                out.append((node.name, True))
        return sorted(out)

    def rows(self, warehouse, model: str, is_base: bool):
        columns, rows = warehouse.query(f"select * from {warehouse.relation(model)}")
        if is_base:  # when a row was written differs by design
            keep = [i for i, c in enumerate(columns) if c not in ("processed_at", "changed_at")]
            columns, rows = [columns[i] for i in keep], [tuple(r[i] for i in keep) for r in rows]
        return columns, rows

    def marts(self, warehouse, names) -> dict:
        out = {}
        for name in names:
            columns, rows = warehouse.query(f"select * from {warehouse.relation(name)}")
            out[name] = [dict(zip(columns, row)) for row in rows]
        return out

    def run_night(self, number: int):
        night = self.nights[number - 1]
        raw = cumulative(self.nights, number)
        started = time.monotonic()
        self.incremental.write_raw(raw)
        args = NIGHTLY_BUILD if number == FULL_TESTS_NIGHT else [*NIGHTLY_BUILD, "test_type:generic"]
        self.results = self.dbt(self.incremental, args, night)
        self.timings[number] = {"incremental": round(time.monotonic() - started, 1)}
        self.completed.append(number)
        return night, raw

    def check_full_refresh(self, night, raw):
        """Every row of every mart and base table equals a fresh full build's."""
        started = time.monotonic()
        self.full.reset()
        self.full.write_raw(raw)
        self.dbt(self.full, FULL_REFRESH, night)
        self.timings[night.number]["full refresh"] = round(time.monotonic() - started, 1)
        problems = []
        for model, is_base in self.compared_relations():
            inc_columns, inc_rows = self.rows(self.incremental, model, is_base)
            full_columns, full_rows = self.rows(self.full, model, is_base)
            if inc_columns != full_columns:
                problems.append(f"{model}: columns differ: {inc_columns} != {full_columns}")
                continue
            only_inc = Counter(inc_rows) - Counter(full_rows)
            only_full = Counter(full_rows) - Counter(inc_rows)
            for label, extra in (("only incremental", only_inc), ("only full refresh", only_full)):
                for row in sorted(extra, key=repr)[:5]:
                    problems.append(f"{model} {label}: " + ", ".join(f"{c}={v!r}" for c, v in zip(inc_columns, row)))
        return problems

    def check_reference(self, night, raw, warehouse=None, marts=COMPARED_MARTS):
        warehouse = warehouse or self.incremental
        dbt_marts = self.marts(warehouse, (*marts, "audit_raw_row_accounting"))
        ref = compute(raw, self.history.variables(as_of_date=night.as_of.isoformat()))
        text = report(dbt_marts, ref, list(marts))
        accounting = ""
        dbt_counts = {(r["source_table"], r["disposition"]): r["row_count"]
                      for r in dbt_marts["audit_raw_row_accounting"] if r["row_count"]}
        ref_counts = {(t, d): n for t, counts in ref["dispositions"].items() for d, n in counts.items() if n}
        for key in sorted(set(dbt_counts) | set(ref_counts)):
            if dbt_counts.get(key) != ref_counts.get(key):
                accounting += (f"\naudit_raw_row_accounting{key}: dbt={dbt_counts.get(key, 0)} "
                               f"reference={ref_counts.get(key, 0)}")
        return text.strip(), accounting.strip()


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    return Replay(tmp_path_factory.mktemp(f"replay-{TARGET}"))


def _stored_records(replay) -> dict:
    """Every keyed record of every incremental base table, its run stamps included."""
    out = {}
    for model, is_base in replay.compared_relations():
        if is_base and model != "base_billing__fx_rates":
            _columns, rows = replay.incremental.query(
                f"select * from {replay.incremental.relation(model)} where record_id is not null")
            out[model] = Counter(rows)
    return out


def test_every_night_equals_a_full_refresh_and_the_reference(replay):
    for number in NIGHTS:
        night = replay.nights[number - 1]
        quiet = not any(night.delivered.values())
        stored_before = _stored_records(replay) if quiet and replay.completed else None
        night, raw = replay.run_night(number)
        where = f"seed {SEED}, {night.describe()}"
        if number > 1:
            # The base tables kept rows of earlier nights: this night ran incrementally.
            kept = replay.incremental.query(
                f"select count(*) from {replay.incremental.relation('base_billing__subscription_items')} "
                f"where processed_at < (select max(processed_at) from "
                f"{replay.incremental.relation('base_billing__subscription_items')})")[1][0][0]
            assert kept > 0, f"{where}: the base tables were rebuilt whole, not incrementally"
            problems = replay.check_full_refresh(night, raw)
            assert not problems, f"{where}: incremental != full refresh:\n  " + "\n  ".join(problems[:40])
        differences = "\n".join(replay.check_reference(night, raw)).strip()
        assert not differences, f"{where}: incremental != Python reference:\n{differences}"
        if night.late:
            # The rows delivered weeks after their updated_at were read: without them
            # the marts would be others (the nightly build's accounting test also
            # fails on any raw row left unread).
            without = cumulative(replay.nights, number, without={id(row) for _table, row in night.late})
            stale_marts, stale_accounting = replay.check_reference(night, without)
            assert stale_marts and stale_accounting, f"{where}: the late rows change nothing the test can see"
        if stored_before is not None:
            # Nothing new: no keyed record was read again or rewritten (same rows,
            # same processed_at and changed_at).
            stored_after = _stored_records(replay)
            rewritten = {model: sum((stored_after[model] - rows).values()) for model, rows in stored_before.items()}
            assert not any(rewritten.values()), f"{where}: records rewritten on a night with no new data: {rewritten}"
    print(f"\nreplay on {TARGET}, seed {SEED}: seconds per night {replay.timings}")
