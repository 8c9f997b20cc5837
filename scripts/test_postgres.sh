#!/usr/bin/env bash
# Portability check: build the whole project (seeds, models, every data and unit
# test) on a throwaway local PostgreSQL 15 and compare every mart row by row with
# the same build on DuckDB; then the same for one seeded random dirty history
# (MRR_HISTORY_SEED, default 12: scripts/test_spark.sh takes 11). Needs root (the server runs as user postgres) and the
# Debian postgresql binaries; uses its own venv (.venv-postgres) so the pinned
# DuckDB toolchain in .venv is untouched. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${MRR_PG_PORT:-55432}
SEED=${MRR_HISTORY_SEED:-12}
if [ ! -x "$PGBIN/initdb" ]; then
    apt-get update -qq && apt-get install -y -qq postgresql > /dev/null
fi
if [ ! -x .venv-postgres/bin/dbt ]; then
    python3 -m venv .venv-postgres
    .venv-postgres/bin/pip install --quiet --disable-pip-version-check \
        dbt-core==1.11.16 dbt-adapters==1.24.5 dbt-common==1.39.0 dbt-postgres==1.11.0 psycopg2-binary==2.9.13
    .venv-postgres/bin/pip check
fi

work=$(mktemp -d /tmp/mrr-postgres.XXXXXX)
chown postgres "$work"
stop() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" stop -m fast > /dev/null 2>&1 || true; rm -rf "$work"; }
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/data" --auth=trust > /dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -w -l "$work/data/log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $work/data" start > /dev/null
psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "create database mrr"

export DBT_PROFILES_DIR=$PWD DBT_SEND_ANONYMOUS_USAGE_STATS=False
export MRR_PG_HOST=127.0.0.1 MRR_PG_PORT=$PORT MRR_PG_USER=postgres MRR_PG_DATABASE=mrr
vars='{as_of_date: "2026-11-24"}'
MRR_TARGET=postgres .venv-postgres/bin/dbt build --vars "$vars" \
    --target-path "$work/target-pg" --log-path "$work/logs-pg"
MRR_DUCKDB_PATH="$work/duck.duckdb" .venv/bin/dbt build --exclude resource_type:unit_test --vars "$vars" \
    --target-path "$work/target-duck" --log-path "$work/logs-duck" --quiet
MRR_TARGET=postgres .venv-postgres/bin/python scripts/compare_marts.py export-pg "$work/marts-pg"
MRR_DUCKDB_PATH="$work/duck.duckdb" .venv/bin/python scripts/compare_marts.py export-duck "$work/marts-duck"

# The random history: raw tables in schema raw_billing of both, marts in analytics_history.
history_vars=$(.venv-postgres/bin/python scripts/load_random_history.py postgres "$SEED")
MRR_TARGET=postgres MRR_PG_SCHEMA=analytics_history .venv-postgres/bin/dbt build \
    --exclude resource_type:seed resource_type:unit_test --vars "$history_vars" \
    --target-path "$work/target-pg-history" --log-path "$work/logs-pg-history" --quiet
MRR_PG_SCHEMA=analytics_history .venv-postgres/bin/python scripts/compare_marts.py export-pg "$work/marts-pg-history"
.venv/bin/python scripts/load_random_history.py duckdb "$SEED" "$work/duck-history.duckdb" > /dev/null
MRR_DUCKDB_PATH="$work/duck-history.duckdb" .venv/bin/dbt build \
    --exclude resource_type:seed resource_type:unit_test --vars "$history_vars" \
    --target-path "$work/target-duck-history" --log-path "$work/logs-duck-history" --quiet
MRR_DUCKDB_PATH="$work/duck-history.duckdb" .venv/bin/python scripts/compare_marts.py export-duck "$work/marts-duck-history"

status=0
echo "== demo data (as_of_date 2026-11-24)"
python3 scripts/compare_marts.py compare "$work/marts-pg" "$work/marts-duck" postgres duckdb || status=1
echo "== random dirty history, seed $SEED ($history_vars)"
python3 scripts/compare_marts.py compare "$work/marts-pg-history" "$work/marts-duck-history" postgres duckdb || status=1
if [ "$status" = 0 ]; then
    echo "Postgres build green and every mart equal to DuckDB's."
fi
exit "$status"
