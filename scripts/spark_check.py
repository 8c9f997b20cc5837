"""Spark half of `make test-spark` (scripts/test_spark.sh), in one process so that
one local Spark session (one JVM start) serves every step:

  1. dbt build on the demo seeds: seeds, every model, data test and unit test;
  2. load one seeded random dirty history as raw tables and dbt build on it;
  3. load the demo told as subscription events (the rows that
     scripts/load_demo_events.py saved to WORK_DIR/demo-events.pickle) and dbt
     build on them with billing_source: events;
  4. export every mart of the three builds to CSV for scripts/compare_marts.py.

    .venv-spark/bin/python scripts/spark_check.py WORK_DIR SEED AS_OF_DATE

Needs MRR_TARGET=spark and the MRR_SPARK_* env vars test_spark.sh sets.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dbt.cli.main import dbtRunner

from load_demo_events import load_spark
from mrr_tools.marts_compare import TABLES, SparkCursor, dump
from mrr_tools.random_histories import generate
from mrr_tools.raw_loading import RAW_SCHEMA, write_spark

DEMO_SCHEMA = "analytics"
HISTORY_SCHEMA = "analytics_history"
EVENTS_SCHEMA = "analytics_events"
EVENTS_ROWS = "demo-events.pickle"


def build(work: Path, name: str, schema: str, args: list[str]) -> None:
    os.environ["MRR_SPARK_SCHEMA"] = schema
    started = time.perf_counter()
    result = dbtRunner().invoke(["build", *args, "--target-path", str(work / f"target-{name}"),
                                 "--log-path", str(work / f"logs-{name}")])
    print(f"spark build {name}: {time.perf_counter() - started:.0f} s", flush=True)
    if not result.success:
        sys.exit(f"dbt build on Spark failed ({name}): see above and {work / f'logs-{name}'}")


def main(work: Path, seed: int, as_of_date: str) -> None:
    build(work, "demo", DEMO_SCHEMA, ["--vars", json.dumps({"as_of_date": as_of_date})])

    from pyspark.sql import SparkSession

    # The session dbt opened (builder.getOrCreate returns it; getActiveSession is per thread).
    spark = SparkSession.builder.getOrCreate()
    history = generate(seed)
    write_spark(spark, history.tables, RAW_SCHEMA)
    variables = history.variables()
    build(work, "history", HISTORY_SCHEMA, [
        "--exclude", "resource_type:seed", "resource_type:unit_test",
        "--vars", json.dumps({"billing_schema": RAW_SCHEMA, **variables})])

    events_vars = load_spark(spark, work / EVENTS_ROWS)
    build(work, "events", EVENTS_SCHEMA, [
        "--exclude", "resource_type:seed", "resource_type:unit_test", "--vars", json.dumps(events_vars)])

    for schema, name in ((DEMO_SCHEMA, "demo"), (HISTORY_SCHEMA, "history"), (EVENTS_SCHEMA, "events")):
        dump(SparkCursor(spark, schema), str(work / f"marts-spark-{name}"))
    print(f"exported {len(TABLES)} marts of each build", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
