"""The package proven from a consumer's side (`make test-package`).

Three runs of the consumer project in integration_tests/ (this repository installed
with `packages: - local: ../`), each on a fresh DuckDB file:

1. billing: the demo CSVs loaded into the consumer's own raw schema `raw_billing`
   (by this script, not as the package's seeds), `dbt deps`, `dbt build`. Every
   mart must equal, row by row, the same mart of the standalone project built on
   the same data (`dbt seed` + `dbt run` at the repository root, or the database
   given with --standalone-db).
2. stripe: a random history as Fivetran's Stripe connector would land it
   (src/mrr_tools/stripe_fixtures) in schema `raw_stripe`, built with
   billing_source stripe.
3. events: a random history told as subscription events (one table in schema
   `raw_events`), built with billing_source events.

After each run the warehouse must hold exactly the raw tables, the package's
enabled models where the manifest says they live (the consumer's routing) and the
consumer's own models: no demo table, no schema of the standalone project, nothing
else. Then the bookkeeping must have recorded its build (the series built
together, which reads this package's own node ids), and the run-start check must
stop a build whose raw table is missing (it looks the package's sources up by
the package's own name). The package's semantic-layer names must carry the
consumer's prefix (var mrr_semantic_prefix) beside the consumer's own metric
`mrr`, and without the prefix the two must clash.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb

from mrr_tools.raw_tables import raw_tables

HERE = Path(__file__).resolve().parents[1]  # integration_tests/
ROOT = HERE.parent

DBT = str(ROOT / ".venv" / "bin" / "dbt")
AS_OF_DATE = "2026-11-24"  # the demo's, as in the consumer's dbt_project.yml and the Makefile
SEMANTIC_PREFIX = "mrr_"  # the consumer's vars: mrr: mrr_semantic_prefix
RAW_BILLING, RAW_STRIPE, RAW_EVENTS = "raw_billing", "raw_stripe", "raw_events"
CONSUMER_SCHEMAS = {"mrr_internal", "mrr_marts", "mrr_restricted", "reporting"}
# The forward marts (spec section 9): the comparison must include each.
FORWARD_MARTS = {"fct_mrr_committed", "fct_mrr_forecast", "fct_mrr_forecast_backtest",
                 "fct_mrr_forecast_closed", "fct_mrr_growth", "fct_mrr_at_risk"}
# When the build ran, not what it computed: compared as set or not set.
RUN_STAMPS = {"published_at", "first_seen_at"}


def run(args, cwd, env, check=True):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stdout.write(result.stdout[-6000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)} in {cwd}")
    return result


def environment(**values):
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_PARTIAL_PARSE": "False"}
    env.update(values)
    return env


def load_demo_csvs(db_path: Path, schema: str) -> None:
    """The demo export into `schema`, typed by the raw contract (the source YAML)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {schema}")
        for table, columns in raw_tables().items():
            types = ", ".join(f"'{name}': '{data_type}'" for name, data_type in columns.items())
            csv_path = ROOT / "seeds" / "billing" / f"{table}.csv"
            con.execute(f"create or replace table {schema}.{table} as select * from read_csv("
                        f"'{csv_path}', header = true, auto_detect = false, columns = {{{types}}})")
    finally:
        con.close()


def load_stripe_history(db_path: Path) -> str:
    """A random history as Fivetran's Stripe tables; returns its as_of_date."""
    from mrr_tools.random_histories import generate
    from mrr_tools.raw_loading import write_duckdb as write_raw_tables
    from mrr_tools.stripe_fixtures.fivetran_tables import write_stripe_tables
    from mrr_tools.stripe_fixtures.from_native import convert
    history = generate(7)
    restricted, stripe_tables = convert(history.tables)
    write_raw_tables(db_path, {"fx_rates": restricted["fx_rates"]}, schema=RAW_BILLING,
                     table_columns={"fx_rates": raw_tables()["fx_rates"]})
    write_stripe_tables(db_path, stripe_tables, schema=RAW_STRIPE)
    return history.as_of_date.isoformat()


def load_events_history(db_path: Path) -> str:
    """A random history told as subscription events (one table); returns its as_of_date."""
    from mrr_tools.event_tables import write_events_duckdb
    from mrr_tools.events_from_native import convert as to_events
    from mrr_tools.random_histories import generate
    from mrr_tools.raw_loading import write_duckdb as write_raw_tables
    from mrr_tools.stripe_fixtures.from_native import convert as clean
    history = generate(7)
    cleaned, _ = clean(history.tables)
    _, events = to_events(cleaned, history.as_of_date, 7)
    write_raw_tables(db_path, {"fx_rates": cleaned["fx_rates"]}, schema=RAW_BILLING,
                     table_columns={"fx_rates": raw_tables()["fx_rates"]})
    write_events_duckdb(db_path, events, schema=RAW_EVENTS)
    return history.as_of_date.isoformat()


def restricted_path(db_path: Path) -> Path:
    """The restricted models' own file beside a build (both profiles.yml)."""
    return db_path.with_name(db_path.name.removesuffix(".duckdb") + ".restricted.duckdb")


def connect(db_path: Path):
    """A build's file, with its restricted file attached as dbt attaches it."""
    con = duckdb.connect(str(db_path))
    if restricted_path(db_path).exists():
        con.execute(f"attach '{restricted_path(db_path)}' as restricted (read_only)")
    return con


def relations(db_path: Path) -> set:
    con = connect(db_path)
    try:
        return {(catalog, schema, name) for catalog, schema, name in con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables").fetchall()}
    finally:
        con.close()


def expected_relations(manifest: dict, raw: set) -> set:
    """Raw tables, plus every enabled model (package or consumer) where dbt put it."""
    built = {(node["database"], node["schema"], node["alias"]) for node in manifest["nodes"].values()
             if node["resource_type"] in ("model", "seed", "snapshot")
             and node["config"]["materialized"] != "ephemeral"}
    return raw | built


def check_relations(db_path: Path, manifest: dict, raw: set, label: str) -> None:
    actual = relations(db_path)
    expected = expected_relations(manifest, raw)
    assert not [n for n in manifest["nodes"].values() if n["resource_type"] == "seed"], \
        f"{label}: the package's demo seeds are enabled in the consumer project"
    assert actual == expected, (f"{label}: unexpected relations {sorted(actual - expected)}, "
                                f"missing {sorted(expected - actual)}")
    package_schemas = {node["schema"] for node in manifest["nodes"].values()
                       if node["resource_type"] == "model" and node["package_name"] == "mrr"}
    assert package_schemas == {"mrr_internal", "mrr_marts", "mrr_restricted"}, \
        f"{label}: package models in {package_schemas}"
    assert {schema for _, schema, _ in actual} <= CONSUMER_SCHEMAS | {s for _, s, _ in raw}, f"{label}: {actual}"
    restricted = {(schema, name) for catalog, schema, name in actual if catalog == "restricted"}
    assert restricted == {("mrr_restricted", "restricted_customer_contacts")}, (
        f"{label}: the restricted file holds {sorted(restricted)}")


def check_bookkeeping(db_path: Path, label: str) -> None:
    con = duckdb.connect(str(db_path))
    try:
        unbuilt, months = con.execute(
            "select count(*) filter (where built_at is null), count(*) "
            "from mrr_internal.int_series_built_months").fetchone()
    finally:
        con.close()
    assert months > 0 and unbuilt == 0, (
        f"{label}: int_series_built_months did not record the build ({unbuilt} of {months} months unbuilt); "
        "the series were not seen as built together (a project_name where 'mrr' is meant?)")


def consumer_project(work: Path, source: str, as_of_date: str) -> Path:
    """A copy of the consumer project with these vars written in its dbt_project.yml, as a
    consumer writes them (a var's value there is not rendered in YAML configs, so no
    env_var), installing this repository by its path."""
    project = work / f"consumer_{source}"
    shutil.copytree(HERE, project, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb*",
                                                                 "package-lock.yml"))
    config = (project / "dbt_project.yml").read_text(encoding="utf-8")
    for old, new in (("billing_source: billing", f"billing_source: {source}"),
                     (f'as_of_date: "{AS_OF_DATE}"', f'as_of_date: "{as_of_date}"')):
        assert old in config, old
        config = config.replace(old, new)
    (project / "dbt_project.yml").write_text(config, encoding="utf-8")
    (project / "packages.yml").write_text(f"packages:\n  - local: {ROOT}\n", encoding="utf-8")
    return project


def consumer_build(project: Path, db_path: Path, *options: str) -> dict:
    env = environment(DBT_PROFILES_DIR=str(project), MRR_CONSUMER_DUCKDB_PATH=str(db_path))
    run([DBT, "deps"], project, env)
    run([DBT, "build", *options], project, env)
    return json.loads((project / "target" / "manifest.json").read_text())


def check_raw_table_check(project: Path, db_path: Path) -> None:
    """With one raw table gone, the run-start check must stop the build and name it."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"alter table {RAW_BILLING}.plans rename to plans_gone")
    finally:
        con.close()
    env = environment(DBT_PROFILES_DIR=str(project), MRR_CONSUMER_DUCKDB_PATH=str(db_path))
    result = run([DBT, "run", "--select", "stg_billing__plans"], project, env, check=False)
    assert result.returncode != 0 and f"{RAW_BILLING}.plans: table not found" in result.stdout, (
        "the run-start check did not stop a consumer build with a missing raw table:\n" + result.stdout[-3000:])


def check_semantic_names(manifest: dict, label: str) -> None:
    """Every project-wide semantic-layer name of the package carries the prefix, and
    the consumer's own metric `mrr` sits beside the package's."""
    models = [m for m in manifest["semantic_models"].values() if m["package_name"] == "mrr"]
    metrics = [m for m in manifest["metrics"].values() if m["package_name"] == "mrr"]
    names = ([m["name"] for m in models] + [m["primary_entity"] for m in models if m["primary_entity"]]
             + [e["name"] for m in models for e in m["entities"]]
             + [x["name"] for m in models for x in m["measures"]]
             + [m["name"] for m in metrics] + [m["label"] for m in metrics])
    unprefixed = sorted({name for name in names if not name.startswith(SEMANTIC_PREFIX)})
    assert models and metrics and not unprefixed, f"{label}: semantic-layer names without the prefix: {unprefixed}"
    by_package = {(m["package_name"], m["name"]) for m in manifest["metrics"].values()}
    assert {("mrr", SEMANTIC_PREFIX + "mrr"), ("mrr_integration_tests", "mrr")} <= by_package, by_package


def check_semantic_clash(project: Path, db_path: Path) -> None:
    """Without the prefix the consumer's names clash with the package's (so the check
    above is not vacuous): dbt parse stops."""
    env = environment(DBT_PROFILES_DIR=str(project), MRR_CONSUMER_DUCKDB_PATH=str(db_path))
    result = run([DBT, "parse", "--target-path", "target/unprefixed", "--vars", '{mrr_semantic_prefix: ""}'],
                 project, env, check=False)
    assert result.returncode != 0 and "Can't use name `mrr` for a" in result.stdout, (
        "without mrr_semantic_prefix the consumer's metric `mrr` did not clash with the package's:\n"
        + result.stdout[-3000:])


def standalone_build(db_path: Path) -> None:
    env = environment(DBT_PROFILES_DIR=str(ROOT), MRR_DUCKDB_PATH=str(db_path))
    variables = ["--vars", f'{{as_of_date: "{AS_OF_DATE}"}}']
    run([DBT, "seed"], ROOT, env)
    run([DBT, "run", *variables], ROOT, env)


def cell(value):
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return repr(value)


def table_rows(db_path: Path, relation: str):
    con = connect(db_path)
    try:
        cursor = con.execute(f"select * from {relation}")
        columns = [d[0] for d in cursor.description]
        stamps = [column in RUN_STAMPS for column in columns]
        return columns, Counter(tuple(("stamped" if value is not None else None) if stamp else cell(value)
                                      for value, stamp in zip(row, stamps)) for row in cursor.fetchall())
    finally:
        con.close()


def compare_marts(standalone_db: Path, consumer_db: Path, manifest: dict) -> int:
    marts = sorted(node["name"] for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["package_name"] == "mrr"
                   and node["original_file_path"].startswith("models/marts/"))
    assert len(marts) >= 15 and FORWARD_MARTS <= set(marts), marts
    nodes = {node["name"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["package_name"] == "mrr"}
    for mart in marts:
        restricted = nodes[mart]["database"] == "restricted"
        standalone = f"restricted.main_restricted.{mart}" if restricted else f"main.{mart}"
        consumer = f"restricted.mrr_restricted.{mart}" if restricted else f"mrr_marts.{mart}"
        standalone_columns, standalone_rows = table_rows(standalone_db, standalone)
        consumer_columns, consumer_rows = table_rows(consumer_db, consumer)
        assert standalone_columns == consumer_columns, (mart, standalone_columns, consumer_columns)
        assert standalone_rows == consumer_rows, (
            f"{mart}: {sum((standalone_rows - consumer_rows).values())} rows only standalone, "
            f"{sum((consumer_rows - standalone_rows).values())} only in the consumer's build")
        assert standalone_rows or mart.startswith("audit_restatement"), f"{mart} is empty"
    return len(marts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standalone-db", type=Path, help="a standalone demo build to compare with")
    parser.add_argument("--work", type=Path, default=ROOT / "target" / "package")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)

    standalone_db = args.standalone_db
    if standalone_db is None:
        standalone_db = args.work / "standalone.duckdb"
        standalone_build(standalone_db)

    billing_db = args.work / "consumer_billing.duckdb"
    load_demo_csvs(billing_db, RAW_BILLING)
    raw = relations(billing_db)
    billing_project = consumer_project(args.work, "billing", AS_OF_DATE)
    manifest = consumer_build(billing_project, billing_db)
    check_relations(billing_db, manifest, raw, "billing")
    check_bookkeeping(billing_db, "billing")
    check_semantic_names(manifest, "billing")
    compared = compare_marts(standalone_db, billing_db, manifest)
    print(f"billing: {compared} marts equal the standalone build row by row; relations as expected")
    check_raw_table_check(billing_project, billing_db)
    print("billing: the run-start check stops a build with a missing raw table")
    check_semantic_clash(billing_project, billing_db)
    print(f"billing: the package's semantic-layer names carry {SEMANTIC_PREFIX}; unprefixed they clash")

    stripe_db = args.work / "consumer_stripe.duckdb"
    as_of_date = load_stripe_history(stripe_db)
    raw = relations(stripe_db)
    # The base models' unit tests give source `billing` as input: with Stripe they do
    # not apply (docs/stripe.md builds without unit tests too).
    manifest = consumer_build(consumer_project(args.work, "stripe", as_of_date), stripe_db,
                              "--exclude", "resource_type:unit_test")
    check_relations(stripe_db, manifest, raw, "stripe")
    check_bookkeeping(stripe_db, "stripe")
    check_semantic_names(manifest, "stripe")
    stripe_models = [n for n in manifest["nodes"].values()
                     if n["resource_type"] == "model" and n["name"].startswith("stg_stripe__")]
    assert len(stripe_models) == 7, "the Stripe models are not enabled by the consumer's var billing_source"
    _, summary = table_rows(stripe_db, "reporting.finance_mrr_summary")
    assert summary, "stripe: the consumer's model over fct_mrr is empty"
    print("stripe: built from Fivetran-shaped tables; relations as expected")

    events_db = args.work / "consumer_events.duckdb"
    as_of_date = load_events_history(events_db)
    raw = relations(events_db)
    # As with Stripe, the base models' unit tests give source `billing` as input.
    manifest = consumer_build(consumer_project(args.work, "events", as_of_date), events_db,
                              "--exclude", "resource_type:unit_test")
    check_relations(events_db, manifest, raw, "events")
    check_bookkeeping(events_db, "events")
    check_semantic_names(manifest, "events")
    events_models = [n for n in manifest["nodes"].values()
                     if n["resource_type"] == "model" and n["name"].startswith("stg_events__")]
    assert events_models, "the events models are not enabled by the consumer's var billing_source"
    _, summary = table_rows(events_db, "reporting.finance_mrr_summary")
    assert summary, "events: the consumer's model over fct_mrr is empty"
    print("events: built from a table of subscription events; relations as expected")


if __name__ == "__main__":
    main()
