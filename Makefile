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
# What dashboards read: the nightly job (and `make run`) publish here when green.
MRR_PUBLISHED_PATH ?= $(CURDIR)/published/mrr.duckdb
export MRR_PUBLISHED_PATH
TEST_DB := $(CURDIR)/target/test_build.duckdb
# The demo build ends on the day the bundled demo data was exported
# (EXPORT_AT in scripts/generate_demo_data.py), so the demo's marts and dashboard
# do not move with today's date.
DEMO_AS_OF_DATE := 2026-11-24
DEMO_VARS := --vars '{as_of_date: "$(DEMO_AS_OF_DATE)"}'
# The as_of_date the marts at $(MRR_DUCKDB_PATH) were built with.
DASHBOARD_AS_OF_DATE ?= $(DEMO_AS_OF_DATE)
DASHBOARD := $(CURDIR)/target/revenue_overview.html
RISK_DASHBOARD := $(CURDIR)/target/revenue_churn_and_risk.html

.PHONY: run test lint lint-models lint-stripe lint-events lint-ga4 build-test pytest test-nightly demo-data demo-events bench planted-bugs test-postgres test-spark test-package nightly clean dashboard browser

# The project's own package (src/mrr_tools, pyproject.toml), importable in the venv
# through a .pth file: scripts, benchmarks and tests import it by name.
$(BIN)/.installed: requirements.txt pyproject.toml scripts/install_mrr_tools.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip check
	$(BIN)/python scripts/install_mrr_tools.py
	touch $@

# The demo through the nightly job (seed, build, test, publish when green), then a
# summary and the dashboard, both read from the published database as BI would.
run: $(BIN)/.installed
	$(BIN)/python scripts/nightly.py --vars '{as_of_date: "$(DEMO_AS_OF_DATE)"}'
	$(BIN)/python scripts/summary.py "$(MRR_PUBLISHED_PATH)"
	@$(MAKE) --no-print-directory dashboard MRR_DUCKDB_PATH="$(MRR_PUBLISHED_PATH)"

# Lint and the demo build run side by side (each is mostly one core), then pytest;
# tests that only read the demo's marts start from that build (tests/python/dbt_harness.py).
test: $(BIN)/.installed
	$(MAKE) --no-print-directory -j 2 --output-sync=target lint build-test
	MRR_TEST_DEMO_DB=$(TEST_DB) $(MAKE) --no-print-directory pytest

# Each lint run compiles the whole project for its billing_source, so the four run
# side by side, each with a database file and a target folder of its own (the
# .sqlfluff files). The Stripe and events models exist only with their billing_source.
LINT_RUNS := lint-models lint-stripe lint-events lint-ga4

lint: $(BIN)/.installed
	$(MAKE) --no-print-directory -j 4 --output-sync=target $(LINT_RUNS)
	$(BIN)/ruff check --no-cache .

lint-models:
	MRR_DUCKDB_PATH=$(CURDIR)/target/lint-models.duckdb $(BIN)/sqlfluff lint models tests/data analyses --disable-progress-bar --processes 0

lint-stripe:
	MRR_DUCKDB_PATH=$(CURDIR)/target/lint-stripe.duckdb $(BIN)/sqlfluff lint models/staging/stripe --config models/staging/stripe/lint_as_stripe.sqlfluff --disable-progress-bar --processes 0

lint-events:
	MRR_DUCKDB_PATH=$(CURDIR)/target/lint-events.duckdb $(BIN)/sqlfluff lint models/staging/events --config models/staging/events/lint_as_events.sqlfluff --disable-progress-bar --processes 0

lint-ga4:
	MRR_DUCKDB_PATH=$(CURDIR)/target/lint-ga4.duckdb $(BIN)/sqlfluff lint models/staging/events/stg_ga4__subscription_events.sql --config models/staging/events/lint_as_ga4.sqlfluff --disable-progress-bar --processes 0

build-test: $(BIN)/.installed
	mkdir -p target && rm -f $(TEST_DB)
	MRR_DUCKDB_PATH=$(TEST_DB) $(BIN)/dbt build --warn-error-options '{"error": ["NoNodesForSelectionCriteria"]}' $(DEMO_VARS)

# The nightly job's longest checks (many builds of the demo each: incremental
# nights against full refreshes, the five-night replay, publishing and locks) run
# in `make test-nightly`, which CI runs after `make test`, so that `make test`
# stays a few minutes.
NIGHTLY_TESTS := tests/python/test_incremental_equals_full.py tests/python/test_nightly_job.py \
	tests/python/test_nightly_replay.py

pytest: $(BIN)/.installed browser
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=15 tests/python $(addprefix --ignore=,$(NIGHTLY_TESTS))

test-nightly: $(BIN)/.installed
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=10 $(NIGHTLY_TESTS)

# The scheduled run: lock, freshness, build and test into a copy, publish only when
# green (scripts/nightly.py). Dashboards read $(MRR_PUBLISHED_PATH).
nightly: $(BIN)/.installed
	$(BIN)/python scripts/nightly.py $(NIGHTLY_ARGS)

# The two dashboard pages, Revenue Overview and Revenue Churn and Risk: each one
# self-contained HTML file from the marts at $(MRR_DUCKDB_PATH) (built with
# as_of_date $(DASHBOARD_AS_OF_DATE)); prints their paths.
dashboard: $(BIN)/.installed
	$(BIN)/python scripts/revenue_overview.py --database "$(MRR_DUCKDB_PATH)" --as-of-date $(DASHBOARD_AS_OF_DATE) --output "$(DASHBOARD)"
	$(BIN)/python scripts/revenue_churn_and_risk.py --database "$(MRR_DUCKDB_PATH)" --as-of-date $(DASHBOARD_AS_OF_DATE) --output "$(RISK_DASHBOARD)"

# Headless Chromium for the dashboard's browser test (Debian package; needs root).
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The demo history as subscription events (SHAPE=ga4: as GA4 day tables), built
# through the events path into target/demo_events.duckdb (docs/events.md).
SHAPE ?= events
demo-events: $(BIN)/.installed
	$(BIN)/python scripts/demo_events.py $(SHAPE)

# Re-create the demo CSV seeds (deterministic: byte-for-byte identical output).
demo-data: $(BIN)/.installed
	$(BIN)/python scripts/generate_demo_data.py

# Long-running scale benchmark; never part of `make test`.
bench: $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run_benchmark.py $(BENCH_ARGS)

# Plants realistic SQL bugs one at a time in a scratch worktree and checks the
# tests catch each; writes docs/planted-bugs-report.md (docs/testing.md).
planted-bugs: $(BIN)/.installed
	$(BIN)/python scripts/planted_bugs.py --jobs 2 $(PLANTED_ARGS)

# PostgreSQL: the whole build on a throwaway PostgreSQL 15, marts compared with
# DuckDB's row by row; the nightly job there (publish only when green, one run at a
# time) and the nightly replay (needs root; installs its own .venv-postgres).
test-postgres: $(BIN)/.installed
	bash scripts/test_postgres.sh

# Portability on Spark: the whole build with dbt-spark on a local Spark session
# (demo data, one random dirty history, the demo told as subscription events),
# marts compared with DuckDB's row by row (installs Java 17 if missing, as root,
# and its own .venv-spark).
test-spark: $(BIN)/.installed
	bash scripts/test_spark.sh

# Installed as a dbt package: the consumer project in integration_tests/ (local: ../)
# built on DuckDB from raw tables it loads itself, its marts compared with the
# standalone build row by row, its warehouse checked for stray relations, then
# built again from Stripe tables (docs/package.md). PACKAGE_ARGS="--standalone-db
# PATH" compares with an existing standalone demo build instead of making one.
test-package: $(BIN)/.installed
	$(BIN)/python integration_tests/scripts/run_consumer.py $(PACKAGE_ARGS)

clean:
	rm -rf target logs mrr.duckdb mrr.restricted.duckdb published integration_tests/target integration_tests/dbt_packages
