"""The scale data set through the Spark target: one `dbt build` (every model and
data test) with dbt-spark on a local Spark session, timed and measured.

    .venv/bin/python benchmarks/spark_benchmark.py --customers 100000 [--reuse-data]

Steps: generate the raw tables with generate_scale_data.py (DuckDB), write them as
parquet, then in one child process (.venv-spark, under /usr/bin/time -v) register
the parquet files as Spark tables and run `dbt build --exclude resource_type:seed
resource_type:unit_test`. The month-level marts (fct_mrr_movements, fct_churn,
fct_revenue) are then compared row by row with a DuckDB build of the same data.
Results go to benchmarks/results_spark.json and the "Spark" section of results.md.
Needs .venv-spark (`make test-spark` creates it).
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

from mrr_tools import marts_compare
from mrr_tools import scale_data as generate_scale_data
from mrr_tools.bench_measure import AS_OF, SCHEMA, machine, measure
from mrr_tools.bench_report import write_markdown
from mrr_tools.marts_compare import SparkCursor
from mrr_tools.raw_tables import table_names

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RAW = table_names()
MONTH_MARTS = ("fct_mrr_movements", "fct_churn", "fct_revenue")
MONTH_KEYS = {mart: ["month"] for mart in MONTH_MARTS}  # the marts compared, and their key
SPARK_MARK = "SPARK_RESULT "


def spark_child(parquet_dir: str, work: str, as_of: str) -> int:
    """Runs in .venv-spark: register the raw parquet files, dbt build, export month marts."""
    from dbt.cli.main import dbtRunner

    work_dir = Path(work)
    # dbt opens the Spark session with the profile's settings; the raw tables are
    # then registered in it and the build runs in the same session.
    dbtRunner().invoke(["show", "--inline", "select 1 as ok", "--target-path", str(work_dir / "target-show"),
                        "--log-path", str(work_dir / "logs")])
    from pyspark.sql import SparkSession

    # The session dbt opened (builder.getOrCreate returns it; getActiveSession is per thread).
    spark = SparkSession.builder.getOrCreate()
    spark.sql("create database if not exists raw_scale")
    for table in RAW:
        spark.sql(f"create table raw_scale.{table} using parquet location '{parquet_dir}/{table}.parquet'")
    started = time.perf_counter()
    result = dbtRunner().invoke([
        "build", "--exclude", "resource_type:seed", "resource_type:unit_test",
        "--vars", json.dumps({"billing_schema": "raw_scale", "as_of_date": as_of}),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")])
    build_seconds = time.perf_counter() - started
    nodes = getattr(result.result, "results", None) or []
    status = {}
    for n in nodes:
        status[str(n.status)] = status.get(str(n.status), 0) + 1
    slowest = sorted(((n.execution_time, n.node.unique_id, str(n.status)) for n in nodes), reverse=True)[:10]
    marts_compare.dump(SparkCursor(spark, "analytics"), str(work_dir / "marts-spark"), MONTH_KEYS)
    print(SPARK_MARK + json.dumps({
        "success": result.success, "build_seconds": round(build_seconds, 1), "status_counts": status,
        "slowest": [{"unique_id": u, "seconds": round(s, 1), "status": st} for s, u, st in slowest]}), flush=True)
    return 0 if result.success else 1


def tree_rss_mb(root_pid: int) -> tuple[float, float]:
    """RSS of all descendants of a process (MB), and of the largest one. GNU time's
    peak RSS misses the Spark JVM: pyspark's launcher never waits for it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, IndexError, ValueError):
            continue
    todo, seen = [root_pid], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += children.get(pid, [])
    sizes = [rss.get(pid, 0.0) for pid in seen if pid != root_pid]
    return sum(sizes), max(sizes, default=0.0)


def sample_memory(stop, peaks: dict, root_pid: int) -> None:
    while not stop.wait(1.0):
        total, largest = tree_rss_mb(root_pid)
        peaks["tree_peak_mb"] = max(peaks.get("tree_peak_mb", 0.0), round(total, 1))
        peaks["largest_process_peak_mb"] = max(peaks.get("largest_process_peak_mb", 0.0), round(largest, 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--reuse-data", action="store_true")
    ap.add_argument("--driver-memory", default="3g")
    ap.add_argument("--shuffle-partitions", default="4")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        return spark_child(*args._child)

    import duckdb

    n = args.customers
    work = HERE / "work" / f"spark_{n}"
    db = HERE / "work" / f"scale_{n}.duckdb"
    if not (args.reuse_data and db.exists()):
        db.unlink(missing_ok=True)
        generate_scale_data.generate(str(db), n, SCHEMA, 5, AS_OF, 42)
    shutil.rmtree(work, ignore_errors=True)
    parquet = work / "raw"
    parquet.mkdir(parents=True)
    con = duckdb.connect(str(db))
    for table in RAW:
        con.execute(f"copy {SCHEMA}.{table} to '{parquet}/{table}.parquet' (format parquet)")
    rows = {t: con.execute(f"select count(*) from {SCHEMA}.{t}").fetchone()[0] for t in RAW}
    con.close()

    env = dict(os.environ, MRR_TARGET="spark", MRR_SPARK_DIR=str(work / "spark"), MRR_SPARK_CATALOG="in-memory",
               MRR_SPARK_DRIVER_MEMORY=args.driver_memory, MRR_SPARK_SHUFFLE_PARTITIONS=args.shuffle_partitions,
               MRR_THREADS=args.threads, TZ="UTC", SPARK_LOCAL_IP="127.0.0.1", DBT_PROFILES_DIR=str(ROOT),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False", DBT_PARTIAL_PARSE="False")
    cmd = [str(ROOT / ".venv-spark" / "bin" / "python"), str(Path(__file__).resolve()),
           "--_child", str(parquet), str(work), AS_OF]
    print(f"Spark build of {n:,} customers ...", flush=True)
    import threading

    peaks: dict = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(stop, peaks, os.getpid()), daemon=True)
    sampler.start()
    m = measure(cmd, env, work / "spark_build.log")
    stop.set()
    sampler.join()
    # Everything this process started: time -> python -> spark-submit -> JVM.
    m.update(peaks)
    out = [ln for ln in (work / "spark_build.log").read_text().splitlines() if ln.startswith(SPARK_MARK)]
    if out:
        m.update(json.loads(out[-1][len(SPARK_MARK):]))
    print(f"Spark: {m['seconds']:.0f} s wall, peak {m.get('tree_peak_mb')} MB over all processes, "
          f"exit {m['exit_code']}", flush=True)

    # The same data on DuckDB, for an exact comparison of the month-level marts.
    duck_env = dict(env, MRR_TARGET="duckdb", MRR_DUCKDB_PATH=str(db), MRR_DUCKDB_MEMORY_LIMIT="3GB")
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "run", "--select", "+" + " +".join(MONTH_MARTS),
                    "--vars", json.dumps({"billing_schema": SCHEMA, "as_of_date": AS_OF}),
                    "--target-path", str(work / "target-duck"), "--log-path", str(work / "logs-duck"), "--quiet"],
                   env=duck_env, cwd=ROOT, check=True)
    con = duckdb.connect(str(db), read_only=True)
    marts_compare.dump(con.cursor(), str(work / "marts-duck"), MONTH_KEYS)
    con.close()
    m["month_marts_equal_to_duckdb"] = marts_compare.compare(str(work / "marts-spark"), str(work / "marts-duck"),
                                                              "spark", "duckdb", MONTH_KEYS)
    closing = marts_compare.load(str(work / "marts-spark" / "fct_mrr_movements.csv"))[1]
    m["closing_mrr"] = max(closing, key=lambda r: r["month"])["closing_mrr"] if closing else None

    store_path = HERE / "results_spark.json"
    store = json.loads(store_path.read_text()) if store_path.exists() else {"sizes": {}}
    store["machine"] = machine()
    store["sizes"][str(n)] = {"customers": n, "raw_rows": rows,
                              "run_at": dt.datetime.now().isoformat(timespec="seconds"),
                              "driver_memory": args.driver_memory, "shuffle_partitions": args.shuffle_partitions,
                              "dbt_threads": args.threads, **m}
    store_path.write_text(json.dumps(store, indent=1) + "\n")
    duck = json.loads((HERE / "results.json").read_text())
    write_markdown(duck["sizes"], duck["machine"], HERE / "results.md")
    print(json.dumps(store["sizes"][str(n)], indent=1))
    return 0 if m["exit_code"] == 0 and m["month_marts_equal_to_duckdb"] else 1


if __name__ == "__main__":
    sys.exit(main())
