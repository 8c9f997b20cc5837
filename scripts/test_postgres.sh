#!/usr/bin/env bash
# PostgreSQL check, on a throwaway local PostgreSQL 15:
#  1. portability: the whole project (seeds, models, every data and unit test) on the
#     demo data, every mart compared row by row with the same build on DuckDB; and
#     the same demo told as subscription events (billing_source: events, loaded by
#     scripts/load_demo_events.py into both), built from them on each engine and
#     every mart compared row by row;
#  2. the nightly job (scripts/nightly.py --target postgres) on one seeded random
#     dirty history (MRR_HISTORY_SEED, default 12: scripts/test_spark.sh takes 11):
#     a green night publishes schema analytics_history, whose marts must equal
#     DuckDB's build of the same history; a run while another holds the advisory
#     lock stops at once (exit 75); a night with a planted failing test exits 1 and
#     leaves the published schema as it was;
#     access (docs/access.md): the nights run with vars mrr_reader_role and
#     mrr_restricted_role; logged in as each role after the first and the second
#     publish and after the failed night: the reader selects every BI mart and the
#     time spine, and is refused on the restricted model, the raw schema, the
#     staging and base models and the staging schema; the restricted role reads the
#     contacts; the grants are the same after each;
#  3. the nightly replay (tests/python/test_nightly_replay.py) on PostgreSQL, nights
#     MRR_REPLAY_NIGHTS (default 1,2,4,5): incremental nights equal a full refresh
#     and the Python reference.
# Needs root (the server runs as user postgres) and the Debian postgresql binaries;
# uses its own venv (.venv-postgres) so the pinned DuckDB toolchain in .venv is
# untouched. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${MRR_PG_PORT:-55432}
SEED=${MRR_HISTORY_SEED:-12}
if [ ! -x "$PGBIN/initdb" ]; then
    apt-get update -qq && apt-get install -y -qq postgresql > /dev/null
fi
# pytest and duckdb for the replay test (its conftest imports the DuckDB harness).
if [ ! -x .venv-postgres/bin/dbt ] || [ ! -x .venv-postgres/bin/pytest ]; then
    test -x .venv-postgres/bin/python || python3 -m venv .venv-postgres
    .venv-postgres/bin/pip install --quiet --disable-pip-version-check \
        dbt-core==1.11.16 dbt-adapters==1.24.5 dbt-common==1.39.0 dbt-postgres==1.11.0 psycopg2-binary==2.9.13 \
        pytest==9.2.0 duckdb==2.0.0
    .venv-postgres/bin/pip check
fi
.venv-postgres/bin/python scripts/install_mrr_tools.py

work=$(mktemp -d /tmp/mrr-postgres.XXXXXX)
chown postgres "$work"
stop() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" stop -m fast > /dev/null 2>&1 || true; rm -rf "$work"; }
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/data" --auth=trust > /dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -w -l "$work/data/log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $work/data" start > /dev/null
psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "create database mrr"

export DBT_PROFILES_DIR=$PWD DBT_SEND_ANONYMOUS_USAGE_STATS=False
# Raw timestamps with a time zone are read as UTC (docs/contract.md).
export PGTZ=UTC
export MRR_PG_HOST=127.0.0.1 MRR_PG_PORT=$PORT MRR_PG_USER=postgres MRR_PG_DATABASE=mrr
vars='{as_of_date: "2026-11-24"}'
MRR_TARGET=postgres .venv-postgres/bin/dbt build --vars "$vars" \
    --target-path "$work/target-pg" --log-path "$work/logs-pg"
MRR_DUCKDB_PATH="$work/duck.duckdb" .venv/bin/dbt build --exclude resource_type:unit_test --vars "$vars" \
    --target-path "$work/target-duck" --log-path "$work/logs-duck" --quiet
MRR_TARGET=postgres .venv-postgres/bin/python scripts/compare_marts.py export-pg "$work/marts-pg"
MRR_DUCKDB_PATH="$work/duck.duckdb" .venv/bin/python scripts/compare_marts.py export-duck "$work/marts-duck"

# The demo history told as subscription events (billing_source: events): the same
# events loaded into both (scripts/load_demo_events.py), each engine builds every
# mart from them; PostgreSQL's in schema analytics_events.
echo "== demo data told as subscription events: builds"
events_vars=$(MRR_TARGET=postgres .venv-postgres/bin/python scripts/load_demo_events.py \
    "$work/duck.duckdb" "$work/duck-events.duckdb")
MRR_TARGET=postgres MRR_PG_SCHEMA=analytics_events .venv-postgres/bin/dbt build \
    --exclude resource_type:seed resource_type:unit_test --vars "$(sed -n 2p <<< "$events_vars")" \
    --target-path "$work/target-pg-events" --log-path "$work/logs-pg-events" --quiet
MRR_DUCKDB_PATH="$work/duck-events.duckdb" .venv/bin/dbt build \
    --exclude resource_type:seed resource_type:unit_test --vars "$(sed -n 1p <<< "$events_vars")" \
    --target-path "$work/target-duck-events" --log-path "$work/logs-duck-events" --quiet
MRR_TARGET=postgres MRR_PG_SCHEMA=analytics_events .venv-postgres/bin/python scripts/compare_marts.py \
    export-pg "$work/marts-pg-events"
MRR_DUCKDB_PATH="$work/duck-events.duckdb" .venv/bin/python scripts/compare_marts.py \
    export-duck "$work/marts-duck-events"

# The random history: raw tables in schema raw_billing of both; on PostgreSQL the
# nightly job builds it and publishes schema analytics_history.
history_vars=$(.venv-postgres/bin/python scripts/load_random_history.py postgres "$SEED")
# The roles of docs/access.md; trust authentication, so they log in without a password.
psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -qc "create role mrr_reader login; create role mrr_restricted login"
nightly() {  # nightly.py of project $1 on the history, as_of_date $2, extra dbt args after
    local project=$1 as_of=$2; shift 2
    .venv-postgres/bin/python "$project/scripts/nightly.py" --target postgres --schema analytics_history \
        --skip-freshness --vars "{billing_schema: raw_billing, as_of_date: \"$as_of\",
            mrr_reader_role: mrr_reader, mrr_restricted_role: mrr_restricted}" \
        -- --exclude resource_type:seed resource_type:unit_test --quiet "$@"
}
as_role() {  # run SQL $2 logged in as role $1; fails on an SQL error
    psql -h 127.0.0.1 -p "$PORT" -U "$1" -d mrr -v ON_ERROR_STOP=1 -Atc "$2" 2>&1
}
grants() {  # who may use the published schemas and read their relations
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -Atc "
        select nspname, '', coalesce(nspacl::text, '') from pg_namespace
        where nspname in ('analytics_history', 'analytics_history_restricted')
        union all
        select n.nspname, c.relname, coalesce(c.relacl::text, '') from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('analytics_history', 'analytics_history_restricted') and c.relkind in ('r', 'v')
        order by 1, 2"
}
check_access() {  # $1: when; more relations the reader must be refused on after it
    local when=$1 out relation
    shift
    echo "== access after $when"
    # Every BI mart (models/marts outside restricted/) and the semantic layer's time spine.
    for relation in $(find models/marts models/utilities -name '*.sql' ! -path '*/restricted/*' -exec basename {} .sql \; | sort); do
        out=$(as_role mrr_reader "select count(*) from analytics_history.$relation") ||
            { echo "FAIL ($when): mrr_reader cannot read analytics_history.$relation: $out"; status=1; }
    done
    for relation in analytics_history_restricted.restricted_customer_contacts raw_billing.customers \
            analytics_history.stg_billing__customers analytics_history.base_billing__customers "$@"; do
        if out=$(as_role mrr_reader "select count(*) from $relation") || ! grep -q "permission denied" <<< "$out"; then
            echo "FAIL ($when): mrr_reader was not refused on $relation: $out"; status=1
        fi
    done
    out=$(as_role mrr_restricted "select count(*) from analytics_history_restricted.restricted_customer_contacts")
    if ! [[ "$out" =~ ^[1-9][0-9]*$ ]]; then
        echo "FAIL ($when): mrr_restricted cannot read the contacts: $out"; status=1
    fi
}
status=0
as_of=$(.venv-postgres/bin/python -c "import json, sys; print(json.loads(sys.argv[1])['as_of_date'])" "$history_vars")
echo "== nightly job on PostgreSQL: a green night"
nightly . "$as_of"
check_access "the first publish"
grants_first=$(grants)
echo "== nightly job on PostgreSQL: a second green night"
nightly . "$as_of" | grep "^nightly: \(switched\|published\)"
check_access "the second publish"
if [ "$(grants)" != "$grants_first" ]; then
    echo "FAIL: the grants changed with the second publish"; diff <(echo "$grants_first") <(grants); status=1
fi
MRR_PG_SCHEMA=analytics_history .venv-postgres/bin/python scripts/compare_marts.py export-pg "$work/marts-pg-history"
published() {  # the published schema's identity and content
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -Atc "select n.oid,
        (select md5(string_agg(m::text, '|' order by m::text)) from analytics_history.fct_mrr_movements as m),
        (select count(*) from analytics_history.fct_monthly_metrics_closed)
        from pg_namespace as n where n.nspname = 'analytics_history'"
}
before=$(published)
echo "== nightly job on PostgreSQL: a second run while one holds the lock"
psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -qAtc \
    "select pg_advisory_lock(hashtext('mrr nightly'), hashtext('analytics_history')); select pg_sleep(120)" \
    > /dev/null &
holder=$!
until psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -Atc \
    "select count(*) from pg_locks where locktype = 'advisory' and granted" | grep -q '^[1-9]'; do sleep 0.2; done
started=$(date +%s)
set +e
output=$(nightly . "$as_of" 2>&1)
code=$?
set -e
# The holder's backend would sleep on after its client is gone: end that session.
psql -h 127.0.0.1 -p "$PORT" -U postgres -d mrr -qAtc "select pg_terminate_backend(pid) from pg_locks
    where locktype = 'advisory' and pid <> pg_backend_pid()" > /dev/null
wait "$holder" 2> /dev/null || true
echo "$output"
if [ "$code" != 75 ] || [ $(( $(date +%s) - started )) -gt 20 ] || ! grep -q "another nightly run is in progress" <<< "$output"; then
    echo "FAIL: expected exit 75 at once with a clear message, got exit $code"; status=1
fi
echo "== nightly job on PostgreSQL: a night whose tests fail publishes nothing"
project="$work/project"
mkdir -p "$project/tests"
cp -r models macros seeds scripts analyses dbt_project.yml profiles.yml "$project/"
cp -r tests/data tests/generic "$project/tests/"
echo "-- Planted by scripts/test_postgres.sh: fails once fct_mrr is built.
select * from {{ ref('fct_mrr') }}" > "$project/tests/data/assert_planted_failure.sql"
set +e
output=$(nightly "$project" "$as_of" --fail-fast 2>&1)
code=$?
set -e
echo "$output" | grep "^nightly:"
if [ "$code" != 1 ] || ! grep -q "published schema analytics_history is unchanged" <<< "$output"; then
    echo "FAIL: expected exit 1 and the published schema unchanged, got exit $code"; status=1
fi
if [ "$(published)" != "$before" ]; then
    echo "FAIL: the failed night changed the published schema"; status=1
fi
# The failed night's staging schema stays behind: its tables carry their grants,
# but nobody was given the schema.
check_access "the failed night" analytics_history__staging.fct_mrr
if [ "$(grants)" != "$grants_first" ]; then
    echo "FAIL: the failed night changed the grants"; diff <(echo "$grants_first") <(grants); status=1
fi
.venv/bin/python scripts/load_random_history.py duckdb "$SEED" "$work/duck-history.duckdb" > /dev/null
MRR_DUCKDB_PATH="$work/duck-history.duckdb" .venv/bin/dbt build \
    --exclude resource_type:seed resource_type:unit_test --vars "$history_vars" \
    --target-path "$work/target-duck-history" --log-path "$work/logs-duck-history" --quiet
MRR_DUCKDB_PATH="$work/duck-history.duckdb" .venv/bin/python scripts/compare_marts.py export-duck "$work/marts-duck-history"

echo "== nightly replay on PostgreSQL (nights ${MRR_REPLAY_NIGHTS:-1,2,4,5})"
MRR_REPLAY_TARGET=postgres MRR_REPLAY_NIGHTS=${MRR_REPLAY_NIGHTS:-1,2,4,5} \
    .venv-postgres/bin/pytest -q -p no:cacheprovider tests/python/test_nightly_replay.py || status=1

echo "== demo data (as_of_date 2026-11-24)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-pg" "$work/marts-duck" postgres duckdb || status=1
echo "== demo data told as subscription events (billing_source: events)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-pg-events" "$work/marts-duck-events" postgres duckdb || status=1
echo "== random dirty history, seed $SEED ($history_vars)"
.venv/bin/python scripts/compare_marts.py compare "$work/marts-pg-history" "$work/marts-duck-history" postgres duckdb || status=1
if [ "$status" = 0 ]; then
    echo "Postgres build green and every mart equal to DuckDB's (billing tables and events); nightly job publishes only when green," \
        "one run at a time; incremental nights equal a full refresh and the reference; each role reads" \
        "what it may, is refused the rest, and keeps its grants across publishes and a failed night."
fi
exit "$status"
