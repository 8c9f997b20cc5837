# Two commands do everything on a fresh machine:
#   make run   build the marts on the bundled demo data and print a summary
#   make test  lint, dbt build with every test, pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_PARTIAL_PARSE := False
MRR_DUCKDB_PATH ?= $(CURDIR)/mrr.duckdb
export MRR_DUCKDB_PATH
TEST_DB := $(CURDIR)/target/test_build.duckdb

.PHONY: run test lint build-test pytest demo-data bench planted-bugs test-postgres test-spark clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip check
	touch $@

run: $(BIN)/.installed
	$(BIN)/dbt seed --quiet
	$(BIN)/dbt build --exclude resource_type:seed
	$(BIN)/python scripts/summary.py "$(MRR_DUCKDB_PATH)"

test: lint build-test pytest

lint: $(BIN)/.installed
	$(BIN)/sqlfluff lint models tests/data analyses --disable-progress-bar

build-test: $(BIN)/.installed
	mkdir -p target && rm -f $(TEST_DB)
	MRR_DUCKDB_PATH=$(TEST_DB) $(BIN)/dbt build --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}'

pytest: $(BIN)/.installed
	$(BIN)/pytest -q tests/python

# Re-create the demo CSV seeds (deterministic: byte-for-byte identical output).
demo-data: $(BIN)/.installed
	$(BIN)/python scripts/generate_demo_data.py

# Long-running scale benchmark; never part of `make test`.
bench: $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run_benchmark.py $(BENCH_ARGS)

# Plants realistic SQL bugs one at a time in a scratch worktree and checks the
# tests catch each (~7 min); writes docs/planted-bugs-report.md.
planted-bugs: $(BIN)/.installed
	$(BIN)/python scripts/planted_bugs.py --jobs 2 $(PLANTED_ARGS)

# Portability: the whole build on a throwaway PostgreSQL 15, marts compared with
# DuckDB's row by row (needs root; installs its own .venv-postgres).
test-postgres: $(BIN)/.installed
	bash scripts/test_postgres.sh

# Portability on Spark: the whole build with dbt-spark on a local Spark session
# (demo data and one random dirty history), marts compared with DuckDB's row by
# row (installs Java 17 if missing, as root, and its own .venv-spark).
test-spark: $(BIN)/.installed
	bash scripts/test_spark.sh

clean:
	rm -rf target logs mrr.duckdb
