"""Scale benchmark: the project's `dbt build` against a hand-written SQL script and a
naive playbook-style baseline, on two shapes of data.

    make bench                                   # both shapes at 100k, 300k and 1M customers
    make bench BENCH_ARGS="--sizes 100000 --shapes long --reuse-data"

For each shape and size: generate raw data into benchmarks/work/scale_<shape>_<N>.duckdb
(benchmarks/generate_scale_data.py), run the data build `dbt build --full-refresh --exclude resource_type:seed
resource_type:unit_test` on it, then the hand-written script benchmarks/handwritten_mrr.sql, then the naive
baseline benchmarks/naive_baseline.sql on the same file, each in its own process
under `/usr/bin/time -v` (wall time, CPU time, peak RSS) with the same DuckDB memory
limit (3GB unless --memory-limit says otherwise). Every mart the script builds is
then compared with the dbt build's, row by row on every column. Results accumulate in
benchmarks/results.json, keyed by shape and size (a later run with other sizes or
shapes adds to it), and are rendered to benchmarks/results.md and results.png.

The chart needs matplotlib: `.venv/bin/pip install -r benchmarks/requirements.txt`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mrr_tools import scale_data as generate_scale_data
from mrr_tools import scale_delta as nightly_delta
from mrr_tools import scale_events
from mrr_tools.bench_measure import AS_OF, SCHEMA, machine, measure
from mrr_tools.bench_report import (
    SHAPES,
    TEXT_COMPRESSION_MARTS,
    normalise,
    run_key,
    write_chart,
    write_markdown,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_MEMORY_LIMIT = "3GB"



# The two SQL scripts run in a child process of their own (this file with a hidden
# option), so that /usr/bin/time measures each alone: (script file, result schema,
# query for the customer-month rows it made, marker of its result line).
SCRIPTS = {
    "script": (HERE / "handwritten_mrr.sql",
               "select count(*) from handwritten.fct_mrr where mrr > 0", "SCRIPT_RESULT "),
    "baseline": (HERE / "naive_baseline.sql",
                 "select count(*) from naive_baseline.customer_mrr", "BASELINE_RESULT "),
}


def restricted_path(db: str | Path) -> str:
    """The restricted database beside a build file, where profiles.yml puts it
    (MRR_DUCKDB_RESTRICTED_PATH, else the file's name with .restricted before .duckdb)."""
    db = str(db)
    return os.environ.get("MRR_DUCKDB_RESTRICTED_PATH") or (
        (db[:-7] if db.endswith(".duckdb") else db) + ".restricted.duckdb")


def run_sql_inprocess(part: str, db: str, memory_limit: str | None) -> int:
    """Child-process entry point: execute one SQL script on db, print a JSON result line."""
    import duckdb

    path, count_sql, marker = SCRIPTS[part]
    con = duckdb.connect(db)
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    if part == "script":
        # the script writes the personal-data mart into the restricted database only
        con.execute("attach ? as restricted", [restricted_path(db)])
    t0 = time.perf_counter()
    con.execute(path.read_text())
    secs = time.perf_counter() - t0
    rows = con.execute(count_sql).fetchone()[0]
    movements = "handwritten.fct_mrr_movements" if part == "script" else "naive_baseline.mrr_movements"
    closing = con.execute(f"select closing_mrr::double from {movements} order by month desc limit 1").fetchone()
    print(marker + json.dumps({
        "sql_seconds": round(secs, 2), "customer_month_rows": rows,
        "closing_mrr": closing[0] if closing else None,
        "duckdb_threads": con.execute("select current_setting('threads')").fetchone()[0],
        "duckdb_memory_limit": con.execute("select current_setting('memory_limit')").fetchone()[0]}))
    return 0


# ---------------------------------------------------------------- one shape and size

def export_revision(rev: str, work: Path) -> Path:
    """A clean copy of the project at a commit, so that edits in progress don't skew a long run."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    dest = work / f"project_{sha}"
    if not (dest / "dbt_project.yml").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def bench_one(shape: str, n: int, args, project_dir: Path, commit: str) -> dict:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    tag = f"{shape}_{n}"
    db = work / f"scale_{tag}.duckdb"
    years = args.years if args.years is not None else generate_scale_data.SHAPES[shape]["years"]
    res: dict = {"shape": shape, "customers": n, "started": dt.datetime.now().isoformat(timespec="seconds")}
    print(f"\n=== {shape} shape, {n:,} customers ===", flush=True)

    meta_file = work / f"scale_{tag}.json"
    params = {"customers": n, "shape": shape, "years": years, "as_of": AS_OF, "seed": args.seed,
              "generator": file_digest(generate_scale_data.__file__)}
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    if args.reuse_data and db.exists() and meta.get("params") == params:
        print(f"reusing {db} (generated with the same parameters)")
        res["generation"] = meta["generation"]
    else:
        for stale in (db, Path(str(db) + ".wal")):
            stale.unlink(missing_ok=True)
        gen = generate_scale_data.generate(str(db), n, SCHEMA, years, AS_OF, args.seed,
                                           memory_limit=args.gen_memory_limit, shape=shape)
        meta_file.write_text(json.dumps({"params": params, "generation": gen}, indent=1))
        res["generation"] = gen

    env = dict(os.environ, MRR_DUCKDB_PATH=str(db.resolve()), DBT_PROFILES_DIR=str(args.profiles_dir),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False", DBT_PARTIAL_PARSE="False")
    if args.dbt_threads:
        env["MRR_THREADS"] = str(args.dbt_threads)
    memory_limit = args.memory_limit or env.get("MRR_DUCKDB_MEMORY_LIMIT")
    if memory_limit:
        env["MRR_DUCKDB_MEMORY_LIMIT"] = memory_limit

    if not args.skip_dbt:
        target = work / f"target_{tag}"
        logs = work / f"logs_{tag}"
        shutil.rmtree(target, ignore_errors=True)
        dbt = str(Path(sys.executable).with_name("dbt"))
        # --full-refresh: with --reuse-data the file holds an earlier build, and the
        # incremental base models would otherwise run as a night, not a full build.
        cmd = [dbt, "build", "--full-refresh", "--project-dir", str(project_dir), "--exclude", "resource_type:seed",
               # A data build, as the nightly job runs it: the unit tests test the
               # code on fixed inputs (make test), not the data.
               "resource_type:unit_test",
               "--vars", json.dumps({"billing_schema": SCHEMA, "as_of_date": AS_OF}),
               "--target-path", str(target), "--log-path", str(logs)]
        print("dbt build ...", flush=True)
        m = measure(cmd, env, work / f"dbt_build_{tag}.log")
        res["dbt"] = m
        m.update(commit=commit, memory_limit=memory_limit,
                 threads=int(env["MRR_THREADS"]) if env.get("MRR_THREADS") else None)
        if Path(args.profiles_dir).resolve() != ROOT:
            m["profiles_dir"] = str(args.profiles_dir)
        res["dbt"].update(read_run_results(target / "run_results.json"))
        res["dbt"]["mrr_check"] = mart_check(db)
        print(f"dbt build: {m['seconds']:.1f} s, CPU {m['cpu_seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, "
              f"exit {m['exit_code']} ({res['dbt'].get('status_counts')})", flush=True)
        if m["exit_code"] != 0:
            print(f"  dbt build failed: see {work / f'dbt_build_{tag}.log'}", flush=True)

    for part, skip, label in (("script", args.skip_script, "hand-written script"),
                              ("baseline", args.skip_baseline, "naive baseline")):
        if skip:
            continue
        print(f"{label} ...", flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), f"--_{part}", str(db)]
        if memory_limit:
            cmd += ["--memory-limit", memory_limit]
        log = work / f"{part}_{tag}.log"
        m = measure(cmd, env, log)
        marker = SCRIPTS[part][2]
        out = [ln for ln in log.read_text().splitlines() if ln.startswith(marker)]
        if out:
            m.update(json.loads(out[-1][len(marker):]))
        m["memory_limit"] = memory_limit
        res[part] = m
        print(f"{label}: {m['seconds']:.1f} s, CPU {m['cpu_seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, "
              f"exit {m['exit_code']}", flush=True)
        if m["exit_code"] != 0:
            print(f"  {label} failed: see {log}", flush=True)

    if "script" in res and res["script"].get("exit_code") == 0:
        res["script"]["equals_marts"] = script_check(db)
        print(f"script equals the marts: {res['script']['equals_marts'].get('equal')}", flush=True)

    if args.forward:
        forward = bench_forward(tag, env, args, project_dir, work)
        if forward:
            forward["commit"] = commit
            res["forward"] = forward

    if args.events:
        events = bench_events(tag, db, env, args, project_dir, work, params)
        if events:
            events["commit"] = commit
            res["events"] = events

    if args.nightly:
        nightly = bench_nightly(tag, db, env, args, project_dir, work)
        if nightly:
            # its own commit: a later full-build run on the same data keeps this night
            nightly["commit"] = commit
            res["nightly"] = nightly

    if args.cleanup:
        for stale in (db, Path(str(db) + ".wal")):
            stale.unlink(missing_ok=True)
    return res


# The forward marts (issue 33) and what only they read: every model under
# models/marts/forward and the two intermediate models that feed nothing else.
# `+` takes their children too, so the tests that read them go with them.
FORWARD_EXCLUDE = ["path:models/marts/forward", "int_forward_months+", "int_customer_mrr_forward+"]
FORWARD_INTERMEDIATE = {"model.mrr.int_forward_months", "model.mrr.int_customer_mrr_forward"}


def dbt_ls(project_dir: Path, env: dict, selection: list[str], vars_json: str) -> dict[str, dict]:
    """The nodes `dbt build <selection>` would select, by unique id, with what each reads."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    cmd = [dbt, "ls", "-q", "--project-dir", str(project_dir), "--resource-type", "all",
           *selection, "--vars", vars_json, "--output", "json",
           "--output-keys", "unique_id", "resource_type", "original_file_path", "depends_on"]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    nodes = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    return {nd["unique_id"]: nd for nd in nodes}


def forward_selection(project_dir: Path, env: dict, vars_json: str) -> tuple[dict, set[str]]:
    """What excluding the forward marts drops from the build, and whether it is exactly
    the forward models and the data tests that read one of them (nothing else runs
    less: the semantic models, metrics and exposure it also drops execute nothing);
    and the ids of the models and tests it drops."""
    with_all = dbt_ls(project_dir, env, NIGHTLY_EXCLUDE, vars_json)
    without = dbt_ls(project_dir, env, NIGHTLY_EXCLUDE + FORWARD_EXCLUDE, vars_json)
    dropped = {k: with_all[k] for k in with_all.keys() - without.keys()}
    forward_models = {k for k, nd in with_all.items() if nd["resource_type"] == "model" and (
        nd["original_file_path"].startswith("models/marts/forward/") or k in FORWARD_INTERMEDIATE)}
    reads_forward = {k for k, nd in with_all.items() if nd["resource_type"] == "test"
                     and forward_models & set(nd.get("depends_on", {}).get("nodes", []))}
    dropped_models = {k for k, nd in dropped.items() if nd["resource_type"] == "model"}
    dropped_tests = {k for k, nd in dropped.items() if nd["resource_type"] == "test"}
    other = sorted(k for k, nd in dropped.items() if nd["resource_type"] not in ("model", "test"))
    out = {"exclude": " ".join(FORWARD_EXCLUDE), "nodes_full": len(with_all), "nodes_without": len(without),
           "models": sorted(k.split(".")[-1] for k in dropped_models), "tests": len(dropped_tests),
           "other_resources": [k.split(".", 1)[1] for k in other],
           "exact": dropped_models == forward_models and dropped_tests == reads_forward}
    if not out["exact"]:
        out["unexpected"] = sorted((dropped_models ^ forward_models) | (dropped_tests ^ reads_forward))
    return out, dropped_models | dropped_tests


def bench_forward(tag: str, env: dict, args, project_dir: Path, work: Path) -> dict | None:
    """The full build against the same build without the forward marts, on the same
    data, one right after the other (`--forward-rounds` pairs, the order swapped in
    every second one), so the share they add is measured under one load. None (and
    nothing recorded) unless every build succeeded."""
    vars_json = json.dumps({"billing_schema": SCHEMA, "as_of_date": AS_OF})
    sel, forward_ids = forward_selection(project_dir, env, vars_json)
    out: dict = {"selection": sel, "dbt_args": " ".join(NIGHTLY_EXCLUDE + ["--full-refresh"]),
                 "rounds": args.forward_rounds}
    print(f"forward marts: the exclusion drops {len(sel['models'])} models and {sel['tests']} tests "
          f"(exactly the forward ones: {sel['exact']})", flush=True)
    if not sel["exact"]:
        print(f"  unexpected: {sel.get('unexpected')}", flush=True)
        return None
    dbt = str(Path(sys.executable).with_name("dbt"))
    runs: dict = {"full": [], "without": []}
    for i in range(args.forward_rounds):
        for part in (("without", "full") if i % 2 == 0 else ("full", "without")):
            target, logs = work / f"target_forward_{part}_{tag}", work / f"logs_forward_{part}_{tag}"
            shutil.rmtree(target, ignore_errors=True)
            exclude = NIGHTLY_EXCLUDE + (FORWARD_EXCLUDE if part == "without" else [])
            cmd = [dbt, "build", "--full-refresh", "--project-dir", str(project_dir), *exclude,
                   "--vars", vars_json, "--target-path", str(target), "--log-path", str(logs)]
            print(f"forward marts, round {i + 1}: dbt build {'without them' if part == 'without' else 'full'} ...",
                  flush=True)
            m = measure(cmd, env, work / f"forward_{part}_{tag}.log")
            m.update(read_run_results(target / "run_results.json"))
            print(f"  {m['seconds']:.1f} s, CPU {m['cpu_seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, "
                  f"exit {m['exit_code']} ({m.get('status_counts')})", flush=True)
            if m["exit_code"] != 0:
                print(f"  failed: see {work / f'forward_{part}_{tag}.log'}", flush=True)
                return None
            nodes = m.pop("nodes")
            if part == "full":
                fwd = [nd for nd in nodes if nd["unique_id"] in forward_ids]
                m["forward_models"] = {nd["unique_id"].split(".")[-1]: nd["seconds"]
                                       for nd in fwd if nd["unique_id"].startswith("model.")}
                tests = [nd for nd in fwd if nd["unique_id"].startswith("test.")]
                m["forward_tests"] = {"count": len(tests), "seconds": round(sum(nd["seconds"] for nd in tests), 2),
                                      "slowest": tests[0]["unique_id"].split(".")[2] if tests else None,
                                      "slowest_seconds": tests[0]["seconds"] if tests else None}
                m["forward_node_seconds"] = round(sum(nd["seconds"] for nd in fwd), 2)
            runs[part].append(m)
    out.update(runs)
    for part in ("full", "without"):
        out[part + "_seconds"] = round(sum(m["seconds"] for m in runs[part]), 2)
        out[part + "_cpu_seconds"] = round(sum(m["cpu_seconds"] for m in runs[part]), 1)
    out["share_wall"] = round((out["full_seconds"] - out["without_seconds"]) / out["without_seconds"], 4)
    out["share_cpu"] = round((out["full_cpu_seconds"] - out["without_cpu_seconds"])
                             / out["without_cpu_seconds"], 4)
    print(f"forward marts add: wall {out['share_wall']:+.1%}, CPU {out['share_cpu']:+.1%} "
          f"({args.forward_rounds} round(s))", flush=True)
    return out


# The nightly job's build (scripts/nightly.py passes its own arguments after `--`): no
# seeds, and no unit tests, which test the models' logic on fixed inputs, not the data.
NIGHTLY_EXCLUDE = ["--exclude", "resource_type:seed", "resource_type:unit_test"]


def node_split(nodes: list[dict]) -> dict:
    """Seconds of dbt's nodes by kind: base models, the other models, data tests, unit tests."""
    out = {"base models": 0.0, "intermediate and mart models": 0.0, "data tests": 0.0, "unit tests": 0.0}
    for nd in nodes:
        kind, _, name = nd["unique_id"].split(".", 2)
        part = ("unit tests" if kind == "unit_test" else "data tests" if kind == "test"
                else "base models" if name.split(".")[-1].startswith("base_") else "intermediate and mart models")
        out[part] += nd["seconds"]
    return {k: round(v, 2) for k, v in out.items()}


def bench_nightly(tag: str, db: Path, env: dict, args, project_dir: Path, work: Path) -> dict | None:
    """After the full build: one night of changes (nightly_delta.py), the incremental build
    with as_of_date one day later, and a full refresh of a copy of the same data; the two
    must give the same rows in every table. None (and nothing recorded) unless all ran."""
    import duckdb

    nightly_db, full_db = work / f"nightly_{tag}.duckdb", work / f"nightly_full_{tag}.duckdb"
    for stale in (nightly_db, full_db, Path(f"{nightly_db}.wal"), Path(f"{full_db}.wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(db, nightly_db)
    con = duckdb.connect(str(nightly_db))
    try:
        delta = nightly_delta.apply_delta(con, SCHEMA, AS_OF, fraction=args.nightly_fraction)
        newest_before = {t: con.execute(f"select max(processed_at) from main.base_billing__{t}").fetchone()[0]
                         for t in nightly_delta.KEYS}
    finally:
        con.close()
    shutil.copyfile(nightly_db, full_db)
    print(f"nightly delta: {delta}", flush=True)
    out: dict = {"delta": delta, "fraction": args.nightly_fraction, "as_of_date": delta["as_of_date"],
                 "dbt_args": " ".join(NIGHTLY_EXCLUDE)}
    dbt = str(Path(sys.executable).with_name("dbt"))
    for part, database, extra in (("incremental", nightly_db, []), ("full_refresh", full_db, ["--full-refresh"])):
        target, logs = work / f"target_{part}_{tag}", work / f"logs_{part}_{tag}"
        shutil.rmtree(target, ignore_errors=True)
        cmd = [dbt, "build", "--project-dir", str(project_dir), *NIGHTLY_EXCLUDE, *extra,
               "--vars", json.dumps({"billing_schema": SCHEMA, "as_of_date": delta["as_of_date"]}),
               "--target-path", str(target), "--log-path", str(logs)]
        print(f"nightly: dbt build {' '.join(extra) or '(incremental)'} ...", flush=True)
        m = measure(cmd, dict(env, MRR_DUCKDB_PATH=str(database.resolve())), work / f"nightly_{part}_{tag}.log")
        m.update(read_run_results(target / "run_results.json"))
        m["split"] = node_split(m.pop("nodes"))
        m["dbt_overhead"] = round(m["seconds"] - m.get("dbt_elapsed", 0.0), 2)
        out[part] = m
        print(f"  {m['seconds']:.1f} s, CPU {m['cpu_seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, "
              f"exit {m['exit_code']} ({m.get('status_counts')}); nodes {m['split']}", flush=True)
        if m["exit_code"] != 0:
            print(f"  failed: see {work / f'nightly_{part}_{tag}.log'}", flush=True)
            return None
    # What the incremental night wrote and changed in each base table (keyed records):
    # the cascade re-reads children only of parents whose content changed.
    con = duckdb.connect(str(nightly_db), read_only=True)
    try:
        out["base_rows"] = {}
        for t, before in newest_before.items():
            total, written, changed = con.execute(f"""
                select count(*), count(*) filter (where processed_at > ?), count(*) filter (where changed_at > ?)
                from main.base_billing__{t} where record_id is not null""", [before, before]).fetchone()
            out["base_rows"][t] = {"rows": total, "written": written, "changed": changed}
    finally:
        con.close()
    out["differing_rows"] = nightly_delta.compare_databases(str(nightly_db), str(full_db))
    out["equal"] = all(v == 0 for v in out["differing_rows"].values())
    inc, full = out["incremental"], out["full_refresh"]
    out["ratio_wall"] = round(inc["seconds"] / full["seconds"], 3)
    out["ratio_cpu"] = round(inc["cpu_seconds"] / full["cpu_seconds"], 3)
    print(f"nightly / full refresh: wall {out['ratio_wall']:.2f}, CPU {out['ratio_cpu']:.2f}; "
          f"incremental equals full refresh: {out['equal']}", flush=True)
    if not out["equal"]:
        print("  tables differing: " + ", ".join(f"{t} {n}" for t, n in out["differing_rows"].items() if n))
    if args.cleanup:
        for path in (nightly_db, full_db):
            path.unlink(missing_ok=True)
    return out


# The events build (issue 34): the scale data told as subscription events
# (src/mrr_tools/scale_events.py) in schema EVENTS_SCHEMA of the same file, and the
# billing tables without invoices in NO_INVOICES_SCHEMA (views of the raw tables,
# empty invoices and lines): the raw tables the events map to.
EVENTS_SCHEMA = scale_events.EVENTS_SCHEMA
NO_INVOICES_SCHEMA = "raw_scale_no_invoices"
EVENTS_BUILDS = {
    "billing": {"billing_schema": SCHEMA},
    "billing_no_invoices": {"billing_schema": NO_INVOICES_SCHEMA},
    "events": {"billing_source": "events", "events_schema": EVENTS_SCHEMA, "billing_schema": SCHEMA},
}


def events_data(tag: str, db: Path, args, work: Path, params: dict) -> dict:
    """Write (or, with --reuse-data, keep) the events and the schema without invoices."""
    import duckdb

    meta_file = work / f"scale_{tag}.events.json"
    ev_params = dict(params, events_generator=file_digest(scale_events.__file__))
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        present = con.execute("select count(*) from information_schema.tables where table_schema = ? "
                              "and table_name = 'subscription_events'", [EVENTS_SCHEMA]).fetchone()[0] == 1
    finally:
        con.close()
    if args.reuse_data and present and meta.get("params") == ev_params:
        print(f"reusing {EVENTS_SCHEMA}.subscription_events (written with the same parameters)", flush=True)
        gen = meta["generation"]
    else:
        print("writing subscription_events ...", flush=True)
        gen = scale_events.generate(str(db), SCHEMA, EVENTS_SCHEMA, AS_OF, args.seed,
                                    memory_limit=args.gen_memory_limit)
        meta_file.write_text(json.dumps({"params": ev_params, "generation": gen}, indent=1))
    con = duckdb.connect(str(db))
    try:
        con.execute(f"drop schema if exists {NO_INVOICES_SCHEMA} cascade")
        con.execute(f"create schema {NO_INVOICES_SCHEMA}")
        for table in generate_scale_data.RAW_TABLES:
            if table in ("invoices", "invoice_lines"):
                con.execute(f"create table {NO_INVOICES_SCHEMA}.{table} as select * from {SCHEMA}.{table} limit 0")
            else:
                con.execute(f"create view {NO_INVOICES_SCHEMA}.{table} as select * from {SCHEMA}.{table}")
    finally:
        con.close()
    return gen


def bench_events(tag: str, db: Path, env: dict, args, project_dir: Path, work: Path, params: dict) -> dict | None:
    """A full build from the events against full builds from the billing tables, with and
    without invoices, on the same business, one after the other in one run. None (and
    nothing recorded) unless every build succeeded."""
    out: dict = {"generation": events_data(tag, db, args, work, params),
                 "dbt_args": " ".join(["--full-refresh", *NIGHTLY_EXCLUDE]), "order": list(EVENTS_BUILDS)}
    dbt = str(Path(sys.executable).with_name("dbt"))
    for part, extra_vars in EVENTS_BUILDS.items():
        target, logs = work / f"target_events_{part}_{tag}", work / f"logs_events_{part}_{tag}"
        shutil.rmtree(target, ignore_errors=True)
        cmd = [dbt, "build", "--full-refresh", "--project-dir", str(project_dir), *NIGHTLY_EXCLUDE,
               "--vars", json.dumps(dict(extra_vars, as_of_date=AS_OF)),
               "--target-path", str(target), "--log-path", str(logs)]
        print(f"events comparison: dbt build from {part.replace('_', ' ')} ...", flush=True)
        m = measure(cmd, env, work / f"events_{part}_{tag}.log")
        m.update(read_run_results(target / "run_results.json"))
        m["vars"] = extra_vars
        nodes = m.pop("nodes")
        m["split"] = node_split(nodes)
        m["slowest"] = [{"node": nd["unique_id"].split(".", 2)[-1], "seconds": nd["seconds"]} for nd in nodes[:12]]
        m["events_staging_seconds"] = round(sum(
            nd["seconds"] for nd in nodes if nd["unique_id"].startswith("model.")
            and nd["unique_id"].split(".")[-1].startswith(("base_events__", "stg_events__"))), 2)
        check = mart_check(db)
        m["closing_mrr"], m["customer_months"] = check.get("closing_mrr"), check.get("customer_months")
        out[part] = m
        print(f"  {m['seconds']:.1f} s, CPU {m['cpu_seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, "
              f"exit {m['exit_code']} ({m.get('status_counts')}); closing MRR {m['closing_mrr']}", flush=True)
        if m["exit_code"] != 0:
            print(f"  failed: see {work / f'events_{part}_{tag}.log'}", flush=True)
            return None
    ev = out["events"]
    for base in ("billing", "billing_no_invoices"):
        out[f"ratio_wall_{base}"] = round(ev["seconds"] / out[base]["seconds"], 3)
        out[f"ratio_cpu_{base}"] = round(ev["cpu_seconds"] / out[base]["cpu_seconds"], 3)
    print(f"events / billing: wall {out['ratio_wall_billing']:.2f}, CPU {out['ratio_cpu_billing']:.2f}; "
          f"events / billing without invoices: wall {out['ratio_wall_billing_no_invoices']:.2f}, "
          f"CPU {out['ratio_cpu_billing_no_invoices']:.2f}", flush=True)
    return out


def file_digest(path: str) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def read_run_results(path: Path) -> dict:
    if not path.exists():
        return {"nodes": [], "status_counts": {}}
    rr = json.loads(path.read_text())
    nodes, counts = [], {}
    for r in rr.get("results", []):
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        nodes.append({"unique_id": r["unique_id"], "status": r["status"],
                      "seconds": round(r.get("execution_time") or 0.0, 3),
                      "failures": r.get("failures")})
    nodes.sort(key=lambda x: -x["seconds"])
    return {"nodes": nodes, "status_counts": counts,
            "dbt_elapsed": round(rr.get("elapsed_time") or 0.0, 2),
            "sum_node_seconds": round(sum(x["seconds"] for x in nodes), 2)}


# Marts whose rows depend only on the data (fct_monthly_metrics_closed and the
# restatement log also hold the run's timestamp).
MARTS = ["fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "dim_customers",
         "audit_rejected_records", "audit_raw_row_accounting", "fct_mrr_by_plan",
         "fct_cohort_retention", "fct_mrr_reconciliation", "fct_monthly_metrics", "fct_mrr_committed",
         "fct_mrr_forecast", "fct_mrr_forecast_backtest", "fct_mrr_growth", "fct_mrr_at_risk"]


def mart_check(db: Path) -> dict:
    """Closing MRR (to set beside the scripts'), customer-months, and an order-free
    checksum of every mart, so that two runs of differently written models can be
    shown to give the same rows."""
    import duckdb

    out: dict = {"checksums": {}}
    try:
        con = duckdb.connect(str(db), read_only=True)
    except Exception as e:
        return {"error": str(e).splitlines()[0][:200]}
    try:
        row = con.execute("select closing_mrr::double from fct_mrr_movements "
                          "order by month desc limit 1").fetchone()
        out["closing_mrr"] = row[0] if row else None
        out["customer_months"] = con.execute("select count(*) from fct_mrr "
                                              "where mrr > 0").fetchone()[0]
    except Exception as e:  # the marts may not exist when the build failed
        out["error"] = str(e).splitlines()[0][:200]
    # How the largest marts' text columns are stored: fct_mrr_by_plan turns DuckDB's
    # dict_fsst on for its own write (macros/mrr_compress_text_columns.sql), the
    # rest of the build leaves it off. Only speed and file size depend on it, so the
    # benchmark, where it matters, is where it is checked.
    out["text_compression"] = {}
    for mart in TEXT_COMPRESSION_MARTS:
        try:
            out["text_compression"][mart] = dict(con.execute(
                f"select compression, count(*) from pragma_storage_info('{mart}') "
                "where segment_type = 'VARCHAR' group by compression order by compression").fetchall())
        except Exception:
            out["text_compression"][mart] = None
    for mart in MARTS:
        try:
            n, h = con.execute(f"select count(*), sum(hash(t))::varchar from {mart} as t").fetchone()
            out["checksums"][mart] = f"{n}:{h}"
        except Exception:
            out["checksums"][mart] = None
    con.close()
    return out


# The marts the script builds, each into a table of the same name in schema
# `handwritten` (restricted_customer_contacts in the restricted database): every
# one must hold the mart's rows exactly, on every column but the run's own
# timestamp (the time dbt published a closed month or forecast, or first saw a
# restatement).
SCRIPT_MARTS = [
    "fct_mrr", "fct_mrr_movements", "fct_revenue", "fct_mrr_by_plan", "fct_churn",
    "fct_cohort_retention", "dim_customers", "fct_mrr_reconciliation",
    "audit_raw_row_accounting", "audit_rejected_records", "fct_mrr_growth", "fct_mrr_committed",
    "fct_mrr_at_risk", "fct_mrr_forecast", "fct_mrr_forecast_backtest", "fct_monthly_metrics",
    "fct_monthly_metrics_closed", "fct_monthly_metrics_reported", "audit_restatement_log",
    "audit_restatements", "fct_mrr_forecast_closed", "restricted_customer_contacts",
]
RUN_TIMESTAMP_COLUMNS = {"published_at", "first_seen_at"}


def script_check(db: Path) -> dict:
    """Does the hand-written script give every mart it builds row for row, to the last
    decimal? Each mart's columns are read from the mart and compared as typed values in
    SQL, both ways (EXCEPT ALL): rows_differing counts the rows of either side the other
    lacks."""
    import duckdb

    out: dict = {}
    try:
        con = duckdb.connect(str(db), read_only=True)
        con.execute("attach ? as restricted (read_only)", [restricted_path(db)])
    except Exception as e:
        return {"equal": None, "error": str(e).splitlines()[0][:200]}
    try:
        for mart in SCRIPT_MARTS:
            found = con.execute(
                "select table_catalog, table_schema, list(column_name order by ordinal_position) "
                "from information_schema.columns where table_name = ? and table_schema != 'handwritten' "
                "group by all", [mart]).fetchall()
            if len(found) != 1:
                raise RuntimeError(f"mart {mart} found {len(found)} times")
            catalog, schema, columns = found[0]
            cols = ", ".join(f'"{c}"' for c in columns if c not in RUN_TIMESTAMP_COLUMNS)
            a = f"select {cols} from {catalog}.handwritten.{mart}"
            b = f"select {cols} from {catalog}.{schema}.{mart}"
            rows = con.execute(f"select count(*) from {catalog}.{schema}.{mart}").fetchone()[0]
            differ = con.execute(
                f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))").fetchone()[0]
            out[mart] = {"rows": rows, "rows_differing": differ}
        out["equal"] = all(v["rows_differing"] == 0 for v in out.values())
    except Exception as e:  # no marts (dbt skipped or failed on this file)
        out = {"equal": None, "error": str(e).splitlines()[0][:200]}
    con.close()
    return out


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,300000,1000000",
                    help="comma-separated customer counts (default: %(default)s)")
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help=f"comma-separated data shapes, of {', '.join(SHAPES)} (default: %(default)s)")
    ap.add_argument("--workdir", default=str(HERE / "work"))
    ap.add_argument("--years", type=float, default=None, help="length of the history (default: each shape's)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--reuse-data", action="store_true",
                    help="keep an existing scale_<shape>_<N>.duckdb generated with the same parameters")
    ap.add_argument("--skip-dbt", action="store_true")
    ap.add_argument("--skip-script", action="store_true", help="do not run the hand-written script")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--dbt-threads", type=int, default=None, help="MRR_THREADS for dbt (default: the profile's)")
    ap.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT,
                    help="DuckDB memory limit for dbt (MRR_DUCKDB_MEMORY_LIMIT), the script and the baseline "
                         "(default: %(default)s; an empty value: DuckDB's default)")
    ap.add_argument("--gen-memory-limit", default="8GB")
    ap.add_argument("--git-rev", default=None,
                    help="benchmark the project as committed at this revision (e.g. HEAD) instead "
                         "of the working tree")
    ap.add_argument("--project-dir", default=None,
                    help="benchmark the dbt project in this directory (default: this repository)")
    ap.add_argument("--profiles-dir", default=str(ROOT),
                    help="directory of the profiles.yml to use (default: the repository's)")
    ap.add_argument("--nightly", action="store_true",
                    help="after the full build: one night of changes (benchmarks/nightly_delta.py), the "
                         "incremental nightly build, a full refresh of the same data, and the two compared")
    ap.add_argument("--nightly-fraction", type=float, default=0.005,
                    help="share of the records of each table the night changes (default: %(default)s)")
    ap.add_argument("--forward", action="store_true",
                    help="after the full build: `dbt build --full-refresh` with and without the forward marts "
                         "(issue 33), one after the other on the same data, and the share they add")
    ap.add_argument("--forward-rounds", type=int, default=2,
                    help="pairs of builds for --forward, the order swapped in every second pair "
                         "(default: %(default)s)")
    ap.add_argument("--events", action="store_true",
                    help="the scale data also as subscription events (src/mrr_tools/scale_events.py), and full "
                         "builds from the events, from the billing tables and from the billing tables without "
                         "invoices, one after the other (issue 34)")
    ap.add_argument("--cleanup", action="store_true", help="delete each DuckDB file afterwards")
    ap.add_argument("--results", default=str(HERE / "results.json"),
                    help="JSON store of measurements; the .md and .png are written beside it")
    ap.add_argument("--_script", metavar="DB", help=argparse.SUPPRESS)
    ap.add_argument("--_baseline", metavar="DB", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._script:
        return run_sql_inprocess("script", args._script, args.memory_limit)
    if args._baseline:
        return run_sql_inprocess("baseline", args._baseline, args.memory_limit)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        ap.error(f"unknown shape(s) {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    results_path = Path(args.results)
    store = json.loads(results_path.read_text()) if results_path.exists() else {}
    mach = machine()
    project_dir = Path(args.project_dir).resolve() if args.project_dir else ROOT
    if args.project_dir:
        mach["commit"] = f"{project_dir.name} (directory)"
    elif args.git_rev:
        project_dir = export_revision(args.git_rev, Path(args.workdir))
        mach["commit"] = project_dir.name.split("_", 1)[1] + " (clean export)"
    store["machine"] = mach
    store["sizes"] = normalise(store.get("sizes", {}))
    if not shutil.which("time", path="/usr/bin:/bin"):
        print("GNU time not found (apt-get install time); measuring with os.wait4 instead")

    failed = []
    for n in sizes:
        for shape in shapes:
            res = bench_one(shape, n, args, project_dir, mach["commit"])
            key = run_key(shape, n)
            if args.nightly and "nightly" not in res:
                # results.json and .md come only from complete runs: a night that did not
                # finish would put a new full build beside an old night's figures
                failed.append(f"{key}: the nightly run did not complete; results not written")
                continue
            # a part skipped this time keeps what an earlier run measured on the same data
            prev = store["sizes"].get(key, {})
            for part in ("dbt", "script", "baseline", "forward", "nightly", "events"):
                same_data = prev.get("generation", {}).get("rows") == res["generation"]["rows"]
                if part not in res and part in prev and same_data:
                    res[part] = prev[part]
            store["sizes"][key] = res
            if res.get("dbt", {}).get("exit_code", 0) != 0:
                failed.append(f"{key}: dbt build failed")
            if res.get("script", {}).get("exit_code", 0) != 0:
                failed.append(f"{key}: the script failed")
            elif (res.get("script", {}).get("equals_marts") or {}).get("equal") is False:
                failed.append(f"{key}: a mart the script builds differs from the dbt build's")
            if args.events and "events" not in res:
                failed.append(f"{key}: a build of the events comparison failed")
            if args.nightly and not res["nightly"]["equal"]:
                failed.append(f"{key}: the incremental night differs from the full refresh")
            # written after every run, so a long run that is interrupted keeps what it measured
            results_path.write_text(json.dumps(store, indent=1) + "\n")
            write_markdown(store["sizes"], mach, results_path.with_suffix(".md"))
            write_chart(store["sizes"], results_path.with_suffix(".png"))
    print(f"\nwrote {results_path.with_suffix('.md')}")
    for f in failed:
        print("  " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
