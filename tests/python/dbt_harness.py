"""Run the real dbt project on raw tables made in Python, and read its marts back.

Each build gets its own DuckDB file, target path and log path, so tests never
touch the developer's database or collide with another dbt run in the repo.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from mrr_tools.raw_loading import RAW_SCHEMA
from mrr_tools.raw_loading import write_duckdb as write_raw_tables  # noqa: F401 (the tests' name)

PROJECT_DIR = Path(__file__).resolve().parents[2]
MARTS = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "audit_rejected_records", "dim_customers",
         "fct_mrr_by_plan", "fct_cohort_retention")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# `make test` builds and tests the demo (make build-test, as_of_date 2026-11-24)
# right before pytest and names that build's file here. Tests that only read the
# demo's marts start from a copy of it; run alone, they build the demo themselves.
BUILT_DEMO_ENV = "MRR_TEST_DEMO_DB"


class DbtBuildFailed(AssertionError):
    pass


@contextlib.contextmanager
def _environment(**values):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Vars that only change the compiled SQL, which dbt renders again on every run
# (the macros read them when a model compiles). Any other var may change what dbt
# parses (billing_source enables models, billing_schema moves the sources), so a
# different value, or a var not listed here, gets a parse of its own.
_COMPILE_TIME_VARS = ("as_of_date", "reporting_currency", "mrr_include_trials", "mrr_apply_discounts",
                      "mrr_close_after_days", "mrr_reconciliation_tolerance",
                      "mrr_forward_months", "mrr_forecast_window_months", "mrr_delinquent_after_days")
_MANIFESTS: dict = {}


def _dbt_arguments(work_dir: Path, dbt_vars: dict) -> list:
    """The arguments every in-process dbt command of the tests shares."""
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"), "--quiet",
            "--vars", json.dumps(dbt_vars)]


def _dbt_environment(db_path: Path):
    return _environment(MRR_DUCKDB_PATH=str(db_path), DBT_PROFILES_DIR=str(PROJECT_DIR),
                        DBT_SEND_ANONYMOUS_USAGE_STATS="False", MRR_TARGET="duckdb")


def parse_project(db_path: Path, work_dir: Path, dbt_vars: dict):
    """``dbt parse`` from scratch for a DuckDB file ``db_path``; the result's ``result``
    is the manifest."""
    with _dbt_environment(db_path):
        return dbtRunner().invoke(["parse", "--no-partial-parse", *_dbt_arguments(work_dir, dbt_vars)])


def invoke_dbt(args: list, db_path: Path, work_dir: Path, dbt_vars: dict):
    """``dbt <args>`` on ``db_path`` in this process, whatever its outcome.

    Parsing the project takes longer than building the models on test-sized data,
    so the project is parsed once per
    database name (DuckDB names the database after the file: a.duckdb and b.duckdb
    parse differently) and set of parse-time vars, and the manifest is handed to
    every later invocation, as the nightly replay does.
    """
    parse_vars = {name: value for name, value in dbt_vars.items() if name not in _COMPILE_TIME_VARS}
    key = (Path(db_path).stem, json.dumps(parse_vars, sort_keys=True, default=str))
    if key not in _MANIFESTS:
        parsed = parse_project(db_path, work_dir, dbt_vars)
        if not parsed.success:
            return parsed
        # A run leaves an ephemeral model's SQL, with its vars, injected into the nodes
        # that use it, and the next run would keep it: no reuse then (None).
        ephemeral = any(node.config.materialized == "ephemeral" for node in parsed.result.nodes.values())
        _MANIFESTS[key] = None if ephemeral else parsed.result
    with _dbt_environment(db_path):
        try:
            if _MANIFESTS[key] is None:
                return dbtRunner().invoke([*args, "--no-partial-parse", *_dbt_arguments(work_dir, dbt_vars)])
            return dbtRunner(manifest=_MANIFESTS[key]).invoke([*args, *_dbt_arguments(work_dir, dbt_vars)])
        finally:
            _close_database()


def _close_database() -> None:
    """Close the DuckDB file dbt opened in this process.

    dbt-duckdb keeps its database open after dbt returns: the file on disk then
    lacks what is still in its write-ahead log (a copy of it would miss the build),
    and a read-only connection or an ATTACH elsewhere in this process is refused.
    Closing it checkpoints the log into the file; the next invocation opens it again.
    """
    # Imported here: the PostgreSQL replay runs these tests in a venv without dbt-duckdb.
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


def _invoke_build(db_path: Path, work_dir: Path, dbt_vars: dict, exclude: list):
    result = invoke_dbt(["build", "--exclude", *exclude], db_path, work_dir, dbt_vars)
    return result, getattr(result.result, "results", None) or []


def run_dbt_build(db_path: Path, work_dir: Path, variables: dict, schema: str = RAW_SCHEMA,
                  data_tests: bool = True) -> list:
    """``dbt build`` of everything but the seeds against ``db_path``.

    ``data_tests=False`` builds the models only (faster, for a build that is only compared).

    Raises when a model errors or is skipped (the marts would be missing or stale);
    returns the data tests that failed, so a caller can still compare the marts and
    report the failed tests as a finding of their own.
    """
    dbt_vars = {"billing_schema": schema, **variables}
    # dbt unit tests do not depend on the data: `make test` runs them in its own
    # build, and test_demo_build.py::test_unit_tests_pass_under_non_default_vars
    # under non-default vars.
    exclude = ["resource_type:seed", "resource_type:unit_test"] + ([] if data_tests else ["resource_type:test"])
    result, nodes = _invoke_build(db_path, work_dir, dbt_vars, exclude)
    broken = [f"{n.status}: {n.node.unique_id}: {n.message}" for n in nodes
              if str(n.status) in ("error", "skipped", "runtime error")]
    if result.exception is not None or broken or (not result.success and not nodes):
        raise DbtBuildFailed(f"dbt build failed ({result.exception}):\n" + "\n".join(broken[:30]))
    failed = [f"{n.node.unique_id}: {n.message}" for n in nodes if str(n.status) == "fail"]
    return [_ANSI.sub("", message) for message in failed]


def read_marts(db_path: Path, marts=MARTS) -> dict:
    """Every mart as a list of dicts."""
    con = duckdb.connect(str(db_path))
    try:
        out = {}
        for mart in marts:
            cursor = con.execute(f"select * from main.{mart}")
            names = [d[0] for d in cursor.description]
            out[mart] = [dict(zip(names, row)) for row in cursor.fetchall()]
        return out
    finally:
        con.close()


def build_marts(work_dir: Path, tables: dict, variables: dict) -> dict:
    """Write ``tables`` to a fresh DuckDB file in ``work_dir``, build, return the marts.

    The data tests that failed are returned under the key ``_failed_dbt_tests``.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "mrr_test.duckdb"
    if db_path.exists():
        db_path.unlink()
    write_raw_tables(db_path, tables)
    failed_tests = run_dbt_build(db_path, work_dir, variables)
    marts = read_marts(db_path)
    marts["_failed_dbt_tests"] = failed_tests
    return marts


def copy_built_demo(destination: Path) -> bool:
    """Copy the demo build `make test` made (the main and the restricted file) to
    ``destination``, a .duckdb path; False when there is none."""
    source = Path(os.environ.get(BUILT_DEMO_ENV) or "/nonexistent")
    if not source.is_file():
        return False

    def restricted(path: Path) -> Path:
        return path.with_name(path.name.removesuffix(".duckdb") + ".restricted.duckdb")

    shutil.copyfile(source, destination)
    if restricted(source).is_file():
        shutil.copyfile(restricted(source), restricted(destination))
    return True
