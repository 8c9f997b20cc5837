"""Subscription events arriving night by night (billing_source: events).

A seeded random history (src/mrr_tools/random_histories.py), told as events
(mrr_tools/events_from_native.py), is delivered night by night: each night the
table subscription_events holds every event recorded (occurred_at) up to that
night, so renewals recorded weeks late arrive weeks late, and a scheduled
cancellation arrives before it takes effect. One database is built night after
night with that night's as_of_date, as the nightly job does; after each night the
build (every model and data test) must be green, every event read must be
accounted for, and the marts must equal a fresh build of the same events in a
separate database. A night with no new events changes no mart. On an early night a
subscription whose renewal is still on its way may lapse; the late renewal then
continues it (docs/events.md, lapses), which the last night's comparison checks.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from dbt_harness import RAW_SCHEMA, read_marts, run_dbt_build, write_raw_tables
from mrr_tools.event_tables import write_events_duckdb
from mrr_tools.events_from_native import convert as to_events
from mrr_tools.random_histories import generate
from mrr_tools.stripe_fixtures.from_native import convert as clean

SEED = 34
COMPARED = ("fct_mrr", "fct_mrr_movements", "fct_churn", "fct_mrr_by_plan", "dim_customers",
            "audit_rejected_records", "audit_raw_row_accounting")


def _rows(rows):
    return sorted((tuple(sorted(r.items())) for r in rows), key=repr)


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    history = generate(SEED)
    cleaned, _ = clean(history.tables)
    cut, events = to_events(cleaned, history.as_of_date, SEED)
    as_of = history.as_of_date
    # (night, as_of_date); the third night repeats the second with no new events.
    schedule = [as_of - timedelta(days=300), as_of - timedelta(days=120), as_of - timedelta(days=120), as_of]
    work = tmp_path_factory.mktemp("events_replay")
    nightly_db = work / "nightly" / "mrr.duckdb"
    nightly_db.parent.mkdir()
    write_raw_tables(nightly_db, {"fx_rates": cut["fx_rates"]})
    results = []
    for number, night in enumerate(schedule, start=1):
        arrived = [e for e in events if e["occurred_at"].date() <= night]
        variables = {**history.variables(as_of_date=night.isoformat()), "billing_source": "events",
                     "billing_schema": RAW_SCHEMA}
        write_events_duckdb(nightly_db, arrived)
        failed = run_dbt_build(nightly_db, work / "nightly", variables)
        nightly = read_marts(nightly_db, COMPARED)
        fresh_dir = work / f"fresh{number}"
        fresh_dir.mkdir()
        fresh_db = fresh_dir / "mrr.duckdb"
        write_raw_tables(fresh_db, {"fx_rates": cut["fx_rates"]})
        write_events_duckdb(fresh_db, arrived)
        run_dbt_build(fresh_db, fresh_dir, variables, data_tests=False)
        results.append((number, night, arrived, failed, nightly, read_marts(fresh_db, COMPARED)))
    return events, results


def test_history_arrives_over_the_nights(nights):
    events, results = nights
    counts = [len(arrived) for _, _, arrived, _, _, _ in results]
    assert counts[0] < counts[1] == counts[2] < counts[3] <= len(events), counts
    # Some renewals are recorded weeks after they take effect.
    assert any(e["occurred_at"] - e["effective_at"] >= timedelta(days=30) for e in events if e["effective_at"])


def test_every_night_is_green(nights):
    for number, night, _, failed, _, _ in nights[1]:
        assert not [f for f in failed if "warn_rejected" not in f], (number, night, failed)


def test_every_event_read_is_accounted_for(nights):
    for number, _, arrived, _, nightly, _ in nights[1]:
        counted = sum(r["row_count"] for r in nightly["audit_raw_row_accounting"]
                      if r["source_table"] == "subscription_events")
        assert counted == len(arrived), number


@pytest.mark.parametrize("mart", COMPARED)
def test_every_night_equals_a_fresh_build(nights, mart):
    for number, night, _, _, nightly, fresh in nights[1]:
        only_nightly = [r for r in _rows(nightly[mart]) if r not in _rows(fresh[mart])]
        only_fresh = [r for r in _rows(fresh[mart]) if r not in _rows(nightly[mart])]
        assert not only_nightly and not only_fresh, (number, night, only_nightly[:3], only_fresh[:3])


def test_a_night_without_new_events_changes_nothing(nights):
    _, results = nights
    assert all(_rows(results[1][4][m]) == _rows(results[2][4][m]) for m in COMPARED)
