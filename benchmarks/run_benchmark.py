"""Scale benchmark: the project's `dbt build` against a naive playbook-style baseline.

    make bench                                   # 100k, 300k and 1M customers
    make bench BENCH_ARGS="--sizes 100000 --reuse-data"

For each size: generate raw data into benchmarks/work/scale_<N>.duckdb, run
`dbt build --exclude resource_type:seed` on it, then run benchmarks/naive_baseline.sql
on the same file, each in its own process under `/usr/bin/time -v` (wall time and
peak RSS). Results accumulate in benchmarks/results.json (a later run with other
sizes adds to it), and are rendered to benchmarks/results.md and results.png.

The chart needs matplotlib: `.venv/bin/pip install -r benchmarks/requirements.txt`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate_scale_data  # noqa: E402

AS_OF = "2026-10-31"
SCHEMA = "raw_scale"
TARGET_SECONDS = 60
TARGET_MB = 4096


# ---------------------------------------------------------------- measuring

def measure(cmd: list[str], env: dict, log_path: Path) -> dict:
    """Run cmd; wall seconds, peak RSS (MB) and exit code, output kept in log_path.

    GNU time reports the child's peak RSS as the kernel accounts it (the largest
    of the process and its waited-for children); without it, os.wait4 reads the
    same accounting for the one child we started.
    """
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with open(log_path, "w") as log, tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        if gnu_time:
            full = [gnu_time, "-v", "-o", tf.name, *cmd]
        else:
            full = cmd
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss  # Linux: kilobytes
        cpu = usage.ru_utime + usage.ru_stime
        if gnu_time:
            report = tf.read()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            peak_kb = int(m.group(1)) if m else peak_kb
            m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
            if m:
                wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(m.group(1).split(":"))))
            times = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)]
            cpu = sum(times) if len(times) == 2 else cpu
            m = re.search(r"Exit status: (\d+)", report)
            code = int(m.group(1)) if m else proc.returncode
        else:
            code = proc.returncode
    # CPU seconds (user + system) next to wall time: on a shared machine other people's
    # load stretches wall time much more than the CPU time the build needs.
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 1),
            "peak_mb": round(peak_kb / 1024, 1), "exit_code": code, "load_before": round(load, 2),
            "timer": "GNU time -v" if gnu_time else "os.wait4"}


def run_baseline_inprocess(db: str, memory_limit: str | None) -> int:
    """Child-process entry point: execute the baseline script on db, print a JSON line."""
    import duckdb

    sql = (HERE / "naive_baseline.sql").read_text()
    con = duckdb.connect(db)
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    t0 = time.perf_counter()
    con.execute(sql)
    secs = time.perf_counter() - t0
    rows = con.execute("select count(*) from naive_baseline.customer_mrr").fetchone()[0]
    closing = con.execute(
        "select closing_mrr::double from naive_baseline.mrr_movements "
        "order by month desc limit 1").fetchone()
    print("BASELINE_RESULT " + json.dumps({
        "sql_seconds": round(secs, 2), "customer_month_rows": rows,
        "closing_mrr": closing[0] if closing else None}))
    return 0


# ---------------------------------------------------------------- one size

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


def bench_size(n: int, args, project_dir: Path, commit: str) -> dict:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"scale_{n}.duckdb"
    res: dict = {"customers": n, "started": dt.datetime.now().isoformat(timespec="seconds")}
    print(f"\n=== {n:,} customers ===", flush=True)

    meta_file = work / f"scale_{n}.json"
    params = {"customers": n, "years": args.years, "as_of": AS_OF, "seed": args.seed,
              "generator": file_digest(generate_scale_data.__file__)}
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    if args.reuse_data and db.exists() and meta.get("params") == params:
        print(f"reusing {db} (generated with the same parameters)")
        res["generation"] = meta["generation"]
    else:
        for stale in (db, Path(str(db) + ".wal")):
            stale.unlink(missing_ok=True)
        gen = generate_scale_data.generate(str(db), n, SCHEMA, args.years, AS_OF, args.seed,
                                           memory_limit=args.gen_memory_limit)
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
        target = work / f"target_{n}"
        logs = work / f"logs_{n}"
        shutil.rmtree(target, ignore_errors=True)
        dbt = str(Path(sys.executable).with_name("dbt"))
        cmd = [dbt, "build", "--project-dir", str(project_dir), "--exclude", "resource_type:seed",
               "--vars", json.dumps({"billing_schema": SCHEMA, "as_of_date": AS_OF}),
               "--target-path", str(target), "--log-path", str(logs)]
        print("dbt build ...", flush=True)
        m = measure(cmd, env, work / f"dbt_build_{n}.log")
        res["dbt"] = m
        m.update(commit=commit, memory_limit=memory_limit,
                 threads=int(env["MRR_THREADS"]) if env.get("MRR_THREADS") else None)
        if Path(args.profiles_dir).resolve() != ROOT:
            m["profiles_dir"] = str(args.profiles_dir)
        res["dbt"].update(read_run_results(target / "run_results.json"))
        res["dbt"]["mrr_check"] = mart_check(db)
        print(f"dbt build: {m['seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, exit {m['exit_code']}"
              f" ({res['dbt'].get('status_counts')})", flush=True)
        if m["exit_code"] != 0:
            print(f"  dbt build failed: see {work / f'dbt_build_{n}.log'}", flush=True)

    if not args.skip_baseline:
        print("naive baseline ...", flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_baseline", str(db)]
        if memory_limit:
            cmd += ["--memory-limit", memory_limit]
        log = work / f"baseline_{n}.log"
        m = measure(cmd, env, log)
        out = [ln for ln in log.read_text().splitlines() if ln.startswith("BASELINE_RESULT ")]
        if out:
            m.update(json.loads(out[-1].split(" ", 1)[1]))
        m["memory_limit"] = memory_limit
        res["baseline"] = m
        print(f"baseline: {m['seconds']:.1f} s, peak {m['peak_mb']:,.0f} MB, exit {m['exit_code']}",
              flush=True)

    if args.cleanup:
        for stale in (db, Path(str(db) + ".wal")):
            stale.unlink(missing_ok=True)
    return res


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


MARTS = ["fct_mrr", "fct_mrr_movements", "fct_churn", "fct_revenue", "dim_customers",
         "audit_rejected_records", "audit_raw_row_accounting"]


def mart_check(db: Path) -> dict:
    """Closing MRR (to set beside the baseline's) and an order-free checksum of every mart,
    so that two runs of differently written models can be shown to give the same rows."""
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
    except Exception as e:  # the marts may not exist when the build failed
        out["error"] = str(e).splitlines()[0][:200]
    for mart in MARTS:
        try:
            n, h = con.execute(f"select count(*), sum(hash(t))::varchar from {mart} as t").fetchone()
            out["checksums"][mart] = f"{n}:{h}"
        except Exception:
            out["checksums"][mart] = None
    con.close()
    return out


# ---------------------------------------------------------------- reporting

def machine() -> dict:
    cpu = "unknown"
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        m = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        mem_kb = int(m.group(1)) if m else 0
    except OSError:
        pass

    def ver(pkg):
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "-"

    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    dirty = git("status", "--porcelain", "--", "models", "macros", "tests", "dbt_project.yml")
    return {"commit": git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else ""),
            "nproc": len(os.sched_getaffinity(0)), "mem_gb": round(mem_kb / 2**20, 1), "cpu": cpu,
            "os": platform.platform(), "python": platform.python_version(),
            "dbt-core": ver("dbt-core"), "dbt-duckdb": ver("dbt-duckdb"), "duckdb": ver("duckdb")}


def fmt(v, spec=",.1f"):
    return "-" if v is None else format(v, spec)


def write_markdown(results: dict, mach: dict, path: Path) -> None:
    sizes = sorted(results, key=int)
    out = ["# Scale benchmark", "",
           "Generated by `make bench` (`benchmarks/run_benchmark.py`); do not edit by hand.", "",
           "Each size: raw data from `benchmarks/generate_scale_data.py` (5 years to "
           f"{AS_OF}), then `dbt build --exclude resource_type:seed` (every model and test), "
           "then the naive playbook-style baseline `benchmarks/naive_baseline.sql` on the same "
           "file, each in its own process under `/usr/bin/time -v`. Wall time includes dbt's "
           "start-up (parsing, about 4 s). CPU s = user + system time of the process (2 cores: "
           "up to twice the wall time); on a shared machine it is steadier than wall time. "
           "Ratio = our wall time / baseline wall time.", "",
           f"Targets at 1M customers: build < {TARGET_SECONDS} s, peak memory < {TARGET_MB // 1024} GB.",
           "", "## Machine", "",
           f"- CPU: {mach['cpu']}, {mach['nproc']} cores available; memory {mach['mem_gb']} GB",
           f"- {mach['os']}; Python {mach['python']}; dbt-core {mach['dbt-core']}, "
           f"dbt-duckdb {mach['dbt-duckdb']}, duckdb {mach['duckdb']}",
           "- Project commit measured: see each size (sizes may come from different runs).",
           "- The machine is shared: the 1-minute load average before each dbt build is in the "
           "table (`load`); other people's work stretches wall time.",
           "", "## Summary", "",
           "| customers | commit | raw rows | gen s | db MB | load | dbt build s | dbt CPU s | peak MB "
           "| nodes ok/warn/fail | baseline s | baseline CPU s | baseline MB | ratio time | ratio mem "
           "| closing MRR ours / baseline |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"]
    for s in sizes:
        r = results[s]
        g, d, b = r.get("generation", {}), r.get("dbt", {}), r.get("baseline", {})
        sc = d.get("status_counts", {})
        ok = sc.get("success", 0) + sc.get("pass", 0)
        bad = sc.get("error", 0) + sc.get("fail", 0) + sc.get("skipped", 0)
        rt = d["seconds"] / b["seconds"] if d.get("seconds") and b.get("seconds") else None
        rm = d["peak_mb"] / b["peak_mb"] if d.get("peak_mb") and b.get("peak_mb") else None
        ours_mrr = (d.get("mrr_check") or {}).get("closing_mrr")
        out.append(
            f"| {int(s):,} | {d.get('commit', '-')} | {sum(g.get('rows', {}).values()):,} | {fmt(g.get('seconds'))} "
            f"| {fmt(g.get('bytes', 0) / 2**20, ',.0f')} | {fmt(d.get('load_before'), '.2f')} "
            f"| {fmt(d.get('seconds'))} | {fmt(d.get('cpu_seconds'))} | {fmt(d.get('peak_mb'), ',.0f')} "
            f"| {ok}/{sc.get('warn', 0)}/{bad} "
            f"| {fmt(b.get('seconds'))} | {fmt(b.get('cpu_seconds'))} | {fmt(b.get('peak_mb'), ',.0f')} "
            f"| {fmt(rt, '.2f')} | {fmt(rm, '.2f')} "
            f"| {fmt(ours_mrr, ',.0f')} / {fmt(b.get('closing_mrr'), ',.0f')} |")
    for s in sizes:
        r = results[s]
        d = r.get("dbt", {})
        out += ["", f"## {int(s):,} customers", ""]
        g = r.get("generation", {})
        if g.get("rows"):
            out.append("Raw rows: " + ", ".join(f"{k} {v:,}" for k, v in g["rows"].items()) + ".")
            out.append("")
        if d:
            out.append(f"dbt build wall {fmt(d.get('seconds'))} s (dbt's own elapsed "
                       f"{fmt(d.get('dbt_elapsed'))} s; sum of node times "
                       f"{fmt(d.get('sum_node_seconds'))} s over {len(d.get('nodes', []))} nodes, "
                       f"run with {d.get('threads') or 'the profile default of'} dbt threads on "
                       f"{mach['nproc']} cores"
                       + f", DuckDB memory limit {d.get('memory_limit') or 'default (80 % of RAM)'}"
                       + (f", profile from `{d['profiles_dir']}`" if d.get("profiles_dir") else "")
                       + "), peak RSS "
                       f"{fmt(d.get('peak_mb'), ',.0f')} MB, exit code {d.get('exit_code')}.")
            out += ["", "| # | node | type | status | seconds |", "|---:|---|---|---|---:|"]
            for i, nd in enumerate(d.get("nodes", [])[:10], start=1):
                kind, _, name = nd["unique_id"].split(".", 2)
                out.append(f"| {i} | `{name}` | {kind} | {nd['status']} | {nd['seconds']:.2f} |")
        b = r.get("baseline")
        if b:
            out += ["", f"Baseline (DuckDB memory limit {b.get('memory_limit') or 'default'}): "
                    f"wall {fmt(b.get('seconds'))} s (SQL alone "
                    f"{fmt(b.get('sql_seconds'))} s), peak RSS {fmt(b.get('peak_mb'), ',.0f')} MB, "
                    f"{fmt(b.get('customer_month_rows'), ',d')} customer-month rows."]
    from spark_benchmark import spark_section  # the Spark target's run, if one was made

    out += spark_section(path.parent / "results_spark.json")
    path.write_text("\n".join(out) + "\n")


def write_chart(results: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing, so no chart: .venv/bin/pip install -r benchmarks/requirements.txt")
        return False
    sizes = sorted(results, key=int)
    x = [int(s) for s in sizes]

    def series(part, key):
        return [results[s].get(part, {}).get(key) for s in sizes]

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, label, target in ((a1, "seconds", "wall time (s)", TARGET_SECONDS),
                                   (a2, "peak_mb", "peak RSS (MB)", TARGET_MB)):
        for part, name, style in (("dbt", "dbt build (all models + tests)", "o-"),
                                  ("baseline", "naive baseline SQL", "s--")):
            pts = [(xi, yi) for xi, yi in zip(x, series(part, key)) if yi is not None]
            if pts:
                ax.plot(*zip(*pts), style, label=name)
        ax.axhline(target, color="grey", lw=0.8, ls=":", label="target at 1M")
        ax.set_xlabel("customers")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.ticklabel_format(axis="x", style="plain")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e6:g}M"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("MRR project at scale: ours vs naive baseline")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,300000,1000000",
                    help="comma-separated customer counts (default: %(default)s)")
    ap.add_argument("--workdir", default=str(HERE / "work"))
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--reuse-data", action="store_true",
                    help="keep an existing scale_<N>.duckdb generated with the same parameters")
    ap.add_argument("--skip-dbt", action="store_true")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--dbt-threads", type=int, default=None, help="MRR_THREADS for dbt (default: the profile's)")
    ap.add_argument("--memory-limit", default=None,
                    help="DuckDB memory limit for dbt (MRR_DUCKDB_MEMORY_LIMIT) and the baseline, e.g. 3GB")
    ap.add_argument("--gen-memory-limit", default="8GB")
    ap.add_argument("--git-rev", default=None,
                    help="benchmark the project as committed at this revision (e.g. HEAD) instead "
                         "of the working tree")
    ap.add_argument("--project-dir", default=None,
                    help="benchmark the dbt project in this directory (default: this repository)")
    ap.add_argument("--profiles-dir", default=str(ROOT),
                    help="directory of the profiles.yml to use (default: the repository's)")
    ap.add_argument("--cleanup", action="store_true", help="delete each size's DuckDB file afterwards")
    ap.add_argument("--results", default=str(HERE / "results.json"),
                    help="JSON store of measurements; the .md and .png are written beside it")
    ap.add_argument("--_baseline", metavar="DB", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._baseline:
        return run_baseline_inprocess(args._baseline, args.memory_limit)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
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
    store.setdefault("sizes", {})
    if not shutil.which("time", path="/usr/bin:/bin"):
        print("GNU time not found (apt-get install time); measuring with os.wait4 instead")

    failed = False
    for n in sizes:
        res = bench_size(n, args, project_dir, mach["commit"])
        # a part skipped this time keeps what an earlier run measured on the same data
        prev = store["sizes"].get(str(n), {})
        for part in ("dbt", "baseline"):
            same_data = prev.get("generation", {}).get("rows") == res["generation"]["rows"]
            if part not in res and part in prev and same_data:
                res[part] = prev[part]
        store["sizes"][str(n)] = res
        failed |= res.get("dbt", {}).get("exit_code", 0) != 0
        # written after every size, so a long run that is interrupted keeps what it measured
        results_path.write_text(json.dumps(store, indent=1) + "\n")
        write_markdown(store["sizes"], mach, results_path.with_suffix(".md"))
        write_chart(store["sizes"], results_path.with_suffix(".png"))
    print(f"\nwrote {results_path.with_suffix('.md')}" + (" (dbt build failed for some size)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
