"""The scale data told as subscription events (src/mrr_tools/scale_events.py), at a
tiny size: the benchmark's events build (run_benchmark.py --events) must describe
the same business as its billing build, or the comparison of their times means
nothing.

200 customers of the scale data and their events in one DuckDB file, built twice:
from the billing tables and from the events (billing_source: events). The events
build is green and accounts for every event; where events can express what the
billing tables say, every customer's MRR is the same in both builds, month by
month.
"""
from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from dbt_harness import read_marts, run_dbt_build
from mrr_tools import scale_data, scale_events

CUSTOMERS = 200
AS_OF = "2026-10-31"
RAW, EVENTS = "raw_scale", "events_scale"
GRACE_DAYS = 7  # mrr_event_grace_days' default

# Customers whose whole history events can express as the billing tables do: every
# item in USD (a value change is the only place an event locks a rate, while a new
# billing version locks one even at the same value), no deleted item version (the
# events carry on at the previous value), no reactivation (the billing tables have
# none), and no end within the grace days before as_of (events have not lapsed yet).
EXPRESSIBLE_SQL = f"""
with subscriptions as (
    select trim(subscription_id) as subscription_id, trim(customer_id) as customer_id, ended_at
    from {RAW}.subscriptions
    qualify row_number() over (partition by trim(subscription_id) order by updated_at desc) = 1
), items as (
    select trim(subscription_id) as subscription_id, trim(plan_id) as plan_id, is_deleted
    from {RAW}.subscription_items
    qualify row_number() over (partition by trim(subscription_item_id) order by updated_at desc) = 1
), reopened as (
    select distinct e.subscription_id
    from {EVENTS}.subscription_events e join subscriptions s using (subscription_id)
    where lower(e.event_name) in ('subscription_started', 'subscription_renewed')
      and coalesce(e.effective_at, e.occurred_at) > s.ended_at
), not_expressible as (
    select s.customer_id
    from subscriptions s join items i using (subscription_id)
    where (i.plan_id not like '%\\_usd\\_%' escape '\\' and i.plan_id not like '%\\_usage\\_%' escape '\\')
       or i.is_deleted
       or s.subscription_id in (select subscription_id from reopened)
       or s.ended_at > timestamp '{AS_OF}' - interval {GRACE_DAYS + 1} day
)
select distinct customer_id from subscriptions
where customer_id not in (select customer_id from not_expressible)
"""


@pytest.fixture(scope="module")
def scale_builds(tmp_path_factory):
    work = tmp_path_factory.mktemp("scale_events")
    db = work / "scale.duckdb"
    scale_data.generate(str(db), CUSTOMERS, RAW, as_of=AS_OF, memory_limit="1GB", quiet=True)
    written = scale_events.generate(str(db), RAW, EVENTS, AS_OF, memory_limit="1GB", quiet=True)
    # The same arguments again, into another schema: the generator must repeat itself.
    scale_events.generate(str(db), RAW, EVENTS + "_again", AS_OF, memory_limit="1GB", quiet=True)
    native_db, events_db = work / "billing.duckdb", work / "events.duckdb"
    shutil.copyfile(db, native_db)
    shutil.copyfile(db, events_db)
    run_dbt_build(native_db, work / "billing", {"as_of_date": AS_OF}, schema=RAW, data_tests=False)
    failed = run_dbt_build(events_db, work / "events",
                           {"as_of_date": AS_OF, "billing_source": "events", "events_schema": EVENTS}, schema=RAW)
    marts = ("fct_mrr", "audit_raw_row_accounting", "audit_rejected_records")
    return {"db": db, "written": written, "billing": read_marts(native_db, ("fct_mrr",)),
            "events": read_marts(events_db, marts), "failed": failed}


def _query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_events_tell_what_the_benchmark_needs(scale_builds):
    db = scale_builds["db"]
    names = {name for (name,) in _query(db, f"select distinct lower(event_name) from {EVENTS}.subscription_events")}
    assert {"subscription_started", "subscription_renewed", "subscription_updated",
            "subscription_cancelled"} <= names
    assert names - {"subscription_started", "subscription_renewed", "subscription_updated",
                    "subscription_cancelled"}, "no ignored event names"
    (facts,) = _query(db, f"""
        select count(*) filter (where is_trial),
               count(*) filter (where event_id is null),
               count(distinct upper(currency)),
               count(*) filter (where lower(event_name) = 'subscription_renewed'),
               count(distinct subscription_id)
        from {EVENTS}.subscription_events""")
    trials, without_id, currencies, renewals, subscriptions = facts
    assert trials > 0 and without_id > 0 and currencies >= 3, facts
    assert renewals > 5 * subscriptions, "about a renewal a month per subscription"
    (copies,) = _query(db, f"""
        select (select count(*) from (select event_id from {EVENTS}.subscription_events
                                      where event_id is not null group by event_id having count(*) > 1)),
               (select count(*) from (select * from {EVENTS}.subscription_events
                                      where event_id is null group by all having count(*) > 1))""")
    assert copies[0] > 0 and copies[1] > 0, f"copies under one id, identical id-less copies: {copies}"
    # written out of the order of time
    (ordered,) = _query(db, f"""
        select bool_and(event_at >= previous) from (
            select coalesce(effective_at, occurred_at) as event_at,
                   lag(coalesce(effective_at, occurred_at)) over (order by rowid) as previous
            from {EVENTS}.subscription_events)""")
    assert ordered[0] is False


def test_generator_repeats_itself(scale_builds):
    first, again = f"{EVENTS}.subscription_events", f"{EVENTS}_again.subscription_events"
    (differ,) = _query(scale_builds["db"], f"""
        select count(*) from (
            (select * from {first} except all select * from {again})
            union all
            (select * from {again} except all select * from {first}))""")
    assert differ == (0,)


def test_events_build_is_green_and_counts_every_event(scale_builds):
    events = scale_builds["events"]
    assert not [f for f in scale_builds["failed"] if "warn_rejected" not in f], scale_builds["failed"]
    counts = {r["disposition"]: r["row_count"] for r in events["audit_raw_row_accounting"]
              if r["source_table"] == "subscription_events"}
    assert sum(counts.values()) == scale_builds["written"]["rows"], counts
    assert counts.get("duplicate copy", 0) > 0 and counts.get("ignored event", 0) > 0, counts
    assert not [r for r in events["audit_rejected_records"] if r["source_table"] == "subscription_events"]


def test_mrr_equals_the_billing_build_where_events_can_express_it(scale_builds):
    expressible = {c for (c,) in _query(scale_builds["db"], EXPRESSIBLE_SQL)}

    def mrr(rows):
        return {(r["customer_id"], r["month"]): r["mrr"] for r in rows
                if r["customer_id"] in expressible and r["mrr"]}

    billing, events = mrr(scale_builds["billing"]["fct_mrr"]), mrr(scale_builds["events"]["fct_mrr"])
    paying = {r["customer_id"] for r in scale_builds["billing"]["fct_mrr"] if r["mrr"]}
    assert len(expressible & paying) >= len(paying) // 3, (len(expressible & paying), len(paying))
    # An event carries a value to 6 decimals: a day or week plan's monthly value
    # (x 365/12) may end a millionth away from the exact one, per item.
    differ = sorted((key, billing.get(key), events.get(key)) for key in billing.keys() | events.keys()
                    if abs((billing.get(key) or 0) - (events.get(key) or 0)) > Decimal("0.00001"))
    assert not differ, f"{len(differ)} customer-months differ, e.g. {differ[:5]}"
