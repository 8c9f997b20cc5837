"""The events path gives the same MRR marts as the native path on the same histories.

Each case takes a seeded random history (src/mrr_tools/random_histories.py), cleans
it as the Stripe comparison does (mrr_tools/stripe_fixtures/from_native.py), cuts it
down to what events can express and renders it as subscription events
(mrr_tools/events_from_native.py says what and why), with copies, noise and
rejected events, and builds it twice: from the seven raw tables, and from the events
with var billing_source: events, or, in the GA4 case, from the same events as GA4
day tables (mrr_tools/ga4_tables.py: renewals as purchases, numbers in int_value
or double_value, a day in both a daily and an intraday table) with var
billing_source: ga4. Every row of every compared mart must be equal.
"""
from __future__ import annotations

import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.event_tables import write_events_duckdb
from mrr_tools.events_from_native import convert as to_events
from mrr_tools.ga4_tables import events_as_ga4, write_ga4_duckdb
from mrr_tools.random_histories import generate
from mrr_tools.stripe_fixtures.from_native import convert as clean

COMPARED = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_mrr_by_plan", "fct_cohort_retention",
            "dim_customers")
CASES = [("seed31", 31, {}, "events"), ("seed32-trials-included", 32, {"mrr_include_trials": True}, "events"),
         ("seed33-ga4", 33, {}, "ga4")]


def _build(work_dir, write, variables, data_tests):
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "mrr_test.duckdb"
    write(db_path)
    failed = run_dbt_build(db_path, work_dir, variables, data_tests=data_tests)
    return read_marts(db_path, COMPARED + ("audit_raw_row_accounting", "audit_rejected_records")), failed


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def both_paths(request, tmp_path_factory):
    name, seed, overrides, shape = request.param
    history = generate(seed)
    variables = history.variables(**overrides)
    cleaned, _ = clean(history.tables)
    cut, events = to_events(cleaned, history.as_of_date, seed)
    work = tmp_path_factory.mktemp(name)
    native = _build(work / "native", lambda db: write_raw_tables(db, cut), variables, data_tests=False)

    def write_events(db):
        write_raw_tables(db, {"fx_rates": cut["fx_rates"]})
        if shape == "ga4":
            write_ga4_duckdb(db, events_as_ga4(events))
        else:
            write_events_duckdb(db, events)
    from_events = _build(work / shape, write_events,
                         {**variables, "billing_source": shape, "billing_schema": RAW_SCHEMA}, data_tests=True)
    return name, events, native, from_events


def _rows(rows, mart):
    # Events know no names, and a customer only from its first event.
    drop = {"customer_name", "created_at"} if mart == "dim_customers" else set()
    return sorted((tuple(sorted((k, v) for k, v in r.items() if k not in drop)) for r in rows), key=repr)


@pytest.mark.parametrize("mart", COMPARED)
def test_events_mart_equals_native_mart(both_paths, mart):
    name, _, (native, _), (from_events, _) = both_paths
    native_rows, event_rows = _rows(native[mart], mart), _rows(from_events[mart], mart)
    only_native = [r for r in native_rows if r not in event_rows]
    only_events = [r for r in event_rows if r not in native_rows]
    assert not only_native and not only_events, (
        f"{name} {mart}: {len(only_native)} rows only native, {len(only_events)} only from events\n  native: "
        + "\n  native: ".join(map(str, only_native[:5]))
        + "\n  events: " + "\n  events: ".join(map(str, only_events[:5])))


def test_histories_keep_what_the_comparison_is_about(both_paths):
    name, events, (native, _), _ = both_paths
    kinds = {r["movement_type"] for r in native["fct_mrr"]}
    assert {"new", "expansion", "contraction", "churn", "retained"} <= kinds, (name, kinds)
    assert len({r["customer_id"] for r in native["fct_mrr"]}) >= 15, name
    assert len({e["currency"] for e in events if e["currency"]}) >= 3, name


def test_every_event_is_accounted_for(both_paths):
    name, events, _, (from_events, failed) = both_paths
    counts = {r["disposition"]: r["row_count"] for r in from_events["audit_raw_row_accounting"]
              if r["source_table"] in ("subscription_events", "ga4_events")}
    # GA4: the rows of the day in both a daily and an intraday table are read once.
    assert sum(counts.values()) == len(events), name
    assert counts["ignored event"] == 5 and counts["rejected"] == 3 and counts["duplicate copy"] > 0, counts
    assert {r["reason"] for r in from_events["audit_rejected_records"]
            if r["source_table"] in ("subscription_events", "ga4_events")} == {
        "missing customer_id", "negative monthly_recurring_value", "no fx rate"}


def test_events_build_passes_its_data_tests(both_paths):
    name, _, _, (_, failed) = both_paths
    assert not [f for f in failed if "warn_rejected" not in f], f"{name}: {failed}"
