#!/usr/bin/env bash
# Portability check on Spark: build the whole project (every model, data test and
# unit test, contracts enforced) with dbt-spark on a local Spark session, on the
# demo data and on one seeded random dirty history, and the demo told as
# subscription events (billing_source: events, every model and data test), and
# compare every mart row by row with the same three builds on DuckDB. Installs Java 17 if missing (needs root
# then) and its own venv (.venv-spark), so the DuckDB toolchain in .venv stays
# light. Not part of `make test`.
#   MRR_HISTORY_SEED   which random history (default 11)
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${MRR_HISTORY_SEED:-11}
AS_OF=2026-11-24
if ! command -v java > /dev/null; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless > /dev/null
fi
if [ ! -x .venv-spark/bin/dbt ]; then
    python3 -m venv .venv-spark
    .venv-spark/bin/pip install --quiet --disable-pip-version-check \
        dbt-core==1.11.16 dbt-adapters==1.24.5 dbt-common==1.39.0 'dbt-spark[session]==1.11.0' pyspark==3.5.9
    .venv-spark/bin/pip check
fi
.venv-spark/bin/python scripts/install_mrr_tools.py

work=$(mktemp -d /tmp/mrr-spark.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DBT_PROFILES_DIR=$PWD DBT_SEND_ANONYMOUS_USAGE_STATS=False DBT_PARTIAL_PARSE=False
# Spark reads and writes timestamps in the process's zone: the data is UTC.
export TZ=UTC SPARK_LOCAL_IP=127.0.0.1
started=$SECONDS

# DuckDB first: the demo build is where the demo told as events comes from
# (scripts/load_demo_events.py writes them into DuckDB and saves the same rows for
# the Spark process).
duck_started=$SECONDS
MRR_DUCKDB_PATH="$work/duck-demo.duckdb" .venv/bin/dbt build --exclude resource_type:unit_test \
    --vars "{as_of_date: \"$AS_OF\"}" --target-path "$work/target-duck-demo" --log-path "$work/logs-duck-demo" --quiet
events_vars=$(.venv/bin/python scripts/load_demo_events.py "$work/duck-demo.duckdb" "$work/duck-events.duckdb" \
    --spark "$work/demo-events.pickle" | sed -n 1p)
MRR_DUCKDB_PATH="$work/duck-events.duckdb" .venv/bin/dbt build --exclude resource_type:seed resource_type:unit_test \
    --vars "$events_vars" --target-path "$work/target-duck-events" --log-path "$work/logs-duck-events" --quiet
vars=$(.venv/bin/python scripts/load_random_history.py duckdb "$SEED" "$work/duck-history.duckdb")
MRR_DUCKDB_PATH="$work/duck-history.duckdb" .venv/bin/dbt build --exclude resource_type:seed resource_type:unit_test \
    --vars "$vars" --target-path "$work/target-duck-history" --log-path "$work/logs-duck-history" --quiet
for name in demo history events; do
    MRR_DUCKDB_PATH="$work/duck-$name.duckdb" .venv/bin/python scripts/compare_marts.py export-duck "$work/marts-duck-$name"
done
echo "DuckDB part: $((SECONDS - duck_started)) s"

# One process, one Spark session: the demo build (seeds, models, data and unit
# tests), then the random history loaded and built, then the demo's events loaded
# and built, then the three exported.
# Four dbt threads on Spark's two cores: most of a node's time on tiny data is
# planning and bookkeeping in the driver, which overlaps well. No whole-stage code
# generation: on tiny data compiling it costs more than it saves, and the results
# do not depend on it.
spark_started=$SECONDS
MRR_TARGET=spark MRR_SPARK_DIR="$work/spark" MRR_SPARK_CATALOG=in-memory MRR_THREADS=${MRR_THREADS:-4} \
    MRR_SPARK_WHOLESTAGE_CODEGEN=${MRR_SPARK_WHOLESTAGE_CODEGEN:-false} \
    .venv-spark/bin/python scripts/spark_check.py "$work" "$SEED" "$AS_OF"
echo "Spark part: $((SECONDS - spark_started)) s"

status=0
echo "== demo data (as_of_date $AS_OF)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-spark-demo" "$work/marts-duck-demo" spark duckdb || status=1
echo "== random dirty history, seed $SEED ($vars)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-spark-history" "$work/marts-duck-history" spark duckdb || status=1
echo "== demo data told as subscription events (billing_source: events)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-spark-events" "$work/marts-duck-events" spark duckdb || status=1
if [ "$status" = 0 ]; then
    echo "Spark build green and every mart equal to DuckDB's (billing tables and events; $((SECONDS - started)) s)."
fi
exit "$status"
