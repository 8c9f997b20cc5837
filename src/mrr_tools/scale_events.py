"""Write ``subscription_events`` (billing_source: events) at scale, from the scale data.

The events tell the business of the raw tables that ``mrr_tools.scale_data`` wrote
into the same DuckDB file: the same customers, subscriptions and item versions, as
a tracker would have sent them. Everything is set-based SQL inside DuckDB, and
randomness is a hash of (row key, salt, seed), as in scale_data, so the same data
and arguments always give the same events.

    .venv/bin/python -m mrr_tools.scale_events --db benchmarks/work/scale_standard_100000.duckdb

What is told, per subscription that started (the latest version of each raw record;
deleted records, test customers and usage items are left out, as the native path
leaves them out):

- a trial: ``subscription_started`` with ``is_trial`` at the start;
- one start or renewal per paid billing period, as the scale data invoices them
  (day and week plans monthly, so they are told as monthly plans): the first one
  ``subscription_started`` (3 % of subscriptions without a trial had their start
  never tracked: a renewal opens them), then ``subscription_renewed``, each with
  the value of the item version in force when the period starts;
- ``subscription_updated`` where a later item version starts (seats, upgrades,
  discounts, price-list moves), at its value;
- the end: ``subscription_cancelled`` at ``ended_at`` (recorded at the request when
  it was scheduled, at the end when immediate), or at a ``cancel_at`` ahead of
  ``as_of``; a quarter of the ends that fall on a period boundary send nothing and
  lapse (events then end the subscription where the paid period ends, the same day);
  half of the trials that never convert lapse too;
- reactivations: 8 % of ended subscriptions start again one to six months later and
  renew to ``as_of`` (the native history has no such run);
- dirt that must change no mart: late recording (``occurred_at`` after
  ``effective_at``, hours to weeks), event names in any case, currency codes in
  lower case, 3 % of events without an ``event_id`` (identified by their content,
  a tenth of them sent twice identically), 2 % re-delivered under the same id an
  hour later, 1 % extra events of other names (ignored), and the rows shuffled.

The values: the item's period price after discounts, per month (day x 365/12,
week x 52/12, month / count, quarter / 3 count, year / 12 count), rounded to 6
decimals, in the plan's currency. FX rates stay the scale data's ``fx_rates``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

import duckdb

EVENTS_SCHEMA = "events_scale"
NEVER = "timestamp '9999-12-31'"


def build_sql(raw_schema: str, events_schema: str, as_of: dt.date, seed: int) -> list[tuple[str, str]]:
    """[(step, SQL)] that write ``events_schema.subscription_events`` from ``raw_schema``."""
    r, e = raw_schema, events_schema
    ts_end = f"timestamp '{as_of + dt.timedelta(days=1)}'"
    return [
        ("setup", f"""
    create or replace temp macro rnd(k, salt) as
        (hash(k, salt, {seed}) % 1000003)::double / 1000003.0;
    create schema if not exists {e};
    """),
        ("(latest records)", f"""
    create or replace temp table ev_cust as
    select customer_id, country_code, segment
    from (
        select trim(customer_id) as customer_id, country_code, segment, is_test, is_deleted,
               row_number() over (partition by trim(customer_id) order by updated_at desc) as rn
        from {r}.customers
    ) where rn = 1 and not coalesce(is_deleted, false) and not coalesce(is_test, false);

    create or replace temp table ev_plans as
    with latest as (
        select trim(plan_id) as plan_id, plan_name, product_name, lower(trim(charge_type)) as charge_type,
               lower(trim(billing_interval)) as bi, coalesce(billing_interval_count, 1) as bic,
               price, upper(trim(currency)) as currency, is_deleted,
               row_number() over (partition by trim(plan_id) order by updated_at desc) as rn
        from {r}.plans
    )
    select plan_id, plan_name, product_name, price, currency,
           case when bi in ('day', 'week') then 'month' else bi end as ev_interval,
           case when bi in ('day', 'week') then 1 else bic end as ev_count,
           -- months between two starts or renewals (day and week plans: monthly)
           case bi when 'month' then bic when 'quarter' then 3 * bic when 'year' then 12 * bic else 1 end
               as step_months,
           case bi when 'day' then 365.0 / (12 * bic) when 'week' then 52.0 / (12 * bic) when 'month' then 1.0 / bic
                   when 'quarter' then 1.0 / (3 * bic) else 1.0 / (12 * bic) end as per_month
    from latest
    where rn = 1 and charge_type = 'recurring';

    create or replace temp table ev_subs as
    with latest as (
        select trim(subscription_id) as subscription_id, trim(customer_id) as customer_id,
               started_at, trial_end_at, canceled_at, cancel_at, ended_at, is_deleted,
               row_number() over (partition by trim(subscription_id) order by updated_at desc) as rn
        from {r}.subscriptions
    )
    select s.subscription_id, (hash(s.subscription_id) >> 24)::bigint as skey, s.customer_id, c.country_code, c.segment,
           s.started_at, s.trial_end_at, s.canceled_at, s.cancel_at, s.ended_at,
           coalesce(s.trial_end_at, s.started_at) as anchor,
           least(coalesce(s.ended_at, {NEVER}), coalesce(s.cancel_at, {NEVER}), {ts_end}) as bill_end
    from latest s
    join ev_cust c on c.customer_id = s.customer_id
    where s.rn = 1 and not coalesce(s.is_deleted, false) and s.started_at is not null;

    create or replace temp table ev_items as
    with latest as (
        select trim(subscription_item_id) as subscription_item_id, trim(subscription_id) as subscription_id,
               trim(plan_id) as plan_id, quantity, unit_price, discount_percent, discount_amount,
               valid_from, valid_to, is_deleted,
               row_number() over (partition by trim(subscription_item_id) order by updated_at desc) as rn
        from {r}.subscription_items
    )
    select i.subscription_item_id, i.subscription_id, i.valid_from, i.valid_to,
           p.plan_id, p.plan_name, p.product_name, p.currency, p.ev_interval, p.ev_count, p.step_months,
           round(greatest(coalesce(i.unit_price, p.price) * coalesce(i.quantity, 1)
                          * (1 - coalesce(i.discount_percent, 0) / 100) - coalesce(i.discount_amount, 0), 0)
                 * p.per_month, 6)::decimal(38, 12) as monthly
    from latest i
    join ev_plans p on p.plan_id = i.plan_id
    join ev_subs s on s.subscription_id = i.subscription_id
    where i.rn = 1 and not coalesce(i.is_deleted, false);
    """),
        ("(events)", f"""
    create or replace temp table ev_core as
    with steps as (
        select subscription_id, arg_min(step_months, valid_from) as step_months
        from ev_items group by subscription_id
    ), periods as (
        select s.*, st.step_months,
               unnest(range(greatest(date_diff('month', s.anchor, s.bill_end) // st.step_months + 1, 0))) as k
        from ev_subs s join steps st using (subscription_id)
        where s.anchor < s.bill_end
    ), period_starts as (
        select *, anchor + to_months((k * step_months)::int) as ps
        from periods
        where anchor + to_months((k * step_months)::int) < bill_end
    ), renewals as (
        -- the item version in force when the period starts sets the value
        select p.skey, p.subscription_id, p.customer_id, p.country_code, p.segment,
               case when p.k > 0 then 'subscription_renewed'
                    when p.trial_end_at is null and rnd(p.skey, 'untracked_start') < 0.03
                        then 'subscription_renewed'
                    else 'subscription_started' end as event_name,
               'ev_' || p.subscription_id || '_' || p.k as event_id,
               p.ps as effective_at, i.plan_id, i.plan_name, i.product_name, i.monthly, i.currency,
               i.ev_interval, i.ev_count, null::boolean as is_trial, p.skey * 4096 + p.k as ekey,
               null::timestamp as recorded
        from period_starts p
        join ev_items i
          on i.subscription_id = p.subscription_id and i.valid_from <= p.ps
         and (i.valid_to is null or i.valid_to > p.ps)
    ), trials as (
        select s.skey, s.subscription_id, s.customer_id, s.country_code, s.segment,
               'subscription_started', 'ev_' || s.subscription_id || '_t', s.started_at,
               i.plan_id, i.plan_name, i.product_name, i.monthly, i.currency, i.ev_interval, i.ev_count,
               true, s.skey * 4096 + 4001, null
        from ev_subs s
        join ev_items i
          on i.subscription_id = s.subscription_id and i.valid_from <= s.started_at
         and (i.valid_to is null or i.valid_to > s.started_at)
        where s.trial_end_at is not null
    ), updates as (
        select s.skey, s.subscription_id, s.customer_id, s.country_code, s.segment,
               'subscription_updated', 'ev_' || i.subscription_item_id || '_u', i.valid_from,
               i.plan_id, i.plan_name, i.product_name, i.monthly, i.currency, null, null, null,
               (hash(i.subscription_item_id) >> 24)::bigint * 8 + 4002, null
        from ev_items i join ev_subs s using (subscription_id)
        where i.valid_from > s.started_at and i.valid_from < s.bill_end
    ), ends as (
        select *,
               -- an end on a period boundary may send nothing: the subscription lapses there
               coalesce(ended_at = trial_end_at, false) as trial_not_converted,
               ended_at is not null and day(anchor) <= 28
                   and date_diff('month', anchor, ended_at) % step_months = 0
                   and anchor + to_months(date_diff('month', anchor, ended_at)) = ended_at as on_boundary
        from ev_subs join steps using (subscription_id)
    ), cancels as (
        select skey, subscription_id, customer_id, country_code, segment,
               'subscription_cancelled', 'ev_' || subscription_id || '_c',
               coalesce(ended_at, cancel_at), null, null, null, null::decimal(38, 12), null, null, null, null,
               skey * 4096 + 4003,
               -- recorded at the request when scheduled, at the end when immediate
               case when cancel_at is not null then coalesce(canceled_at, cancel_at) else ended_at end
        from ends
        where (ended_at is not null or cancel_at is not null)
          and not (trial_not_converted and rnd(skey, 'trial_lapse') < 0.5)
          and not (on_boundary and not trial_not_converted and rnd(skey, 'lapse') < 0.25)
    ), reactivated as (
        select s.*, st.step_months,
               s.ended_at + to_months((1 + floor(rnd(s.skey, 'react_after') * 6))::int) as restart
        from ev_subs s join steps st using (subscription_id)
        where s.ended_at is not null and s.ended_at > s.anchor and rnd(s.skey, 'reactivate') < 0.08
    ), reactivation_periods as (
        select *, unnest(range(date_diff('month', restart, {ts_end}) // step_months + 1)) as k
        from reactivated where restart < {ts_end}
    ), reactivations as (
        select p.skey, p.subscription_id, p.customer_id, p.country_code, p.segment,
               case when p.k = 0 then 'subscription_started' else 'subscription_renewed' end,
               'ev_' || p.subscription_id || '_r' || p.k, p.restart + to_months((p.k * p.step_months)::int),
               l.plan_id, l.plan_name, l.product_name, l.monthly, l.currency, l.ev_interval, l.ev_count, null,
               p.skey * 4096 + 2048 + p.k, null
        from reactivation_periods p
        join (
            select subscription_id, arg_max(plan_id, valid_from) as plan_id,
                   arg_max(plan_name, valid_from) as plan_name, arg_max(product_name, valid_from) as product_name,
                   arg_max(monthly, valid_from) as monthly, arg_max(currency, valid_from) as currency,
                   arg_max(ev_interval, valid_from) as ev_interval, arg_max(ev_count, valid_from) as ev_count
            from ev_items group by subscription_id
        ) l using (subscription_id)
        where p.restart + to_months((p.k * p.step_months)::int) < {ts_end}
    )
    select * from renewals
    union all select * from trials
    union all select * from updates
    union all select * from cancels
    union all select * from reactivations;
    """),
        ("subscription_events", f"""
    create or replace table {e}.subscription_events as
    with dressed as (
        select *,
               -- recorded late: mostly minutes, some hours, a few weeks
               coalesce(recorded, effective_at + case when rnd(ekey, 'late') < 0.3 then interval 0 second
                                   when rnd(ekey, 'late') < 0.8 then to_seconds((rnd(ekey, 'late_s') * 600)::int)
                                   when rnd(ekey, 'late') < 0.95 then to_hours((1 + rnd(ekey, 'late_s') * 20)::int)
                                   else to_days((1 + rnd(ekey, 'late_s') * 40)::int) end) as recorded_at
        from ev_core
    ), rows as (
        select case when rnd(ekey, 'no_id') < 0.03 then null else event_id end as event_id,
               case when event_name = 'subscription_renewed' and rnd(ekey, 'name_case') < 0.03
                    then 'Subscription_Renewed'
                    when rnd(ekey, 'name_case') > 0.995 then upper(event_name) else event_name end as event_name,
               recorded_at as occurred_at,
               -- effective_at may be left out where it is the recording time
               case when recorded_at <> effective_at or rnd(ekey, 'eff') < 0.5 then effective_at end as effective_at,
               customer_id, subscription_id, plan_id, plan_name, product_name, country_code, segment,
               monthly as monthly_recurring_value,
               case when rnd(ekey, 'cur_case') < 0.03 then lower(currency) else currency end as currency,
               ev_interval as billing_interval, ev_count as billing_interval_count, is_trial, ekey
        from dressed
    ), with_copies as (
        select * from rows
        union all
        -- re-delivered under the same id, an hour later
        select * replace (occurred_at + interval 1 hour as occurred_at)
        from rows where event_id is not null and rnd(ekey, 'redeliver') < 0.02
        union all
        -- an id-less event sent twice: identical rows
        select * from rows where event_id is null and rnd(ekey, 'twice') < 0.1
        union all
        -- other events of the same tracker: ignored
        select 'ev_' || ekey || '_x', ['page_view', 'invoice_paid', 'Checkout_Viewed'][1 + ekey % 3],
               occurred_at, null, customer_id, subscription_id, null, null, null, null, null,
               null, null, null, null, null, ekey
        from rows where rnd(ekey, 'noise') < 0.01
    )
    select event_id::varchar as event_id, event_name::varchar as event_name,
           occurred_at::timestamp as occurred_at, effective_at::timestamp as effective_at,
           customer_id::varchar as customer_id, subscription_id::varchar as subscription_id,
           plan_id::varchar as plan_id, plan_name::varchar as plan_name, product_name::varchar as product_name,
           country_code::varchar as country_code, segment::varchar as segment,
           monthly_recurring_value::decimal(38, 12) as monthly_recurring_value, currency::varchar as currency,
           billing_interval::varchar as billing_interval, billing_interval_count::integer as billing_interval_count,
           is_trial::boolean as is_trial
    from with_copies
    -- rows in no order of time
    order by hash(ekey, event_name, occurred_at, {seed});
    """),
    ]


def generate(db: str, raw_schema: str = "raw_scale", events_schema: str = EVENTS_SCHEMA,
             as_of: str = "2026-10-31", seed: int = 42, memory_limit: str = "8GB", quiet: bool = False) -> dict:
    """Write ``events_schema.subscription_events`` into ``db`` from the scale data in
    ``raw_schema``; returns its rows by event name and the seconds taken."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    con = duckdb.connect(db)
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = true")
    t0 = time.perf_counter()
    timings = {}
    for name, sql in build_sql(raw_schema, events_schema, dt.date.fromisoformat(as_of), seed):
        t = time.perf_counter()
        con.execute(sql)
        timings[name] = round(time.perf_counter() - t, 2)
        if name != "setup":
            say(f"  {name:<22} {timings[name]:7.1f} s")
    by_name = dict(con.execute(f"select event_name, count(*) from {events_schema}.subscription_events "
                               "group by all order by all").fetchall())
    con.execute("checkpoint")
    con.close()
    total = round(time.perf_counter() - t0, 2)
    rows = sum(by_name.values())
    say(f"subscription_events: {rows:,} rows in {total:.1f} s")
    return {"rows": rows, "by_event_name": by_name, "step_seconds": timings, "seconds": total,
            "raw_schema": raw_schema, "events_schema": events_schema}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="a DuckDB file holding the scale data")
    ap.add_argument("--raw-schema", default="raw_scale")
    ap.add_argument("--events-schema", default=EVENTS_SCHEMA)
    ap.add_argument("--as-of", default="2026-10-31")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--memory-limit", default="8GB")
    a = ap.parse_args(argv)
    print(json.dumps(generate(a.db, a.raw_schema, a.events_schema, a.as_of, a.seed, a.memory_limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
