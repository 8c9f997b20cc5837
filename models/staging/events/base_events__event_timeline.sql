{{ config(materialized='table') }}
-- One row per kept event of a subscription, in its place: the subscription's events
-- in the order of effective_at, then occurred_at, then id (docs/events.md), with the
-- run it belongs to. A run opens at a start or renewal when nothing is running (the
-- first one, or the first after a cancellation) and ends at its first cancellation;
-- what follows a cancellation until the next start or renewal changes nothing.
{%- set is_kept = 'exclusion_reason is null and rejection_reason is null' %}
with

-- The events are read twice, each read straight from the model: a step that two later
-- steps read is kept whole by some engines (every kept event, every column) until both
-- have read it, which costs far more than reading the events again.
events as (
    select * from {{ ref('mrr', 'base_events__subscription_events') }}
),

event_positions as (
    select * from {{ ref('mrr', 'base_events__subscription_events') }}
),

kept as (
    select
        record_id,
        event_name,
        occurred_at,
        effective_at,
        customer_id,
        subscription_id,
        coalesce(plan_id, {{ dbt.concat(["'subscription:'", 'subscription_id']) }}) as plan_key,
        plan_name,
        product_name,
        monthly_recurring_value,
        currency,
        billing_interval,
        billing_interval_count,
        is_trial
    from events
    where {{ is_kept }}
),

-- The windows below sort each subscription's events four times; they run on the
-- few columns they need, and the event's other columns join back once at the end.
positions as (
    select
        record_id,
        subscription_id,
        effective_at,
        occurred_at,
        event_name in ('subscription_started', 'subscription_renewed') as is_opening,
        event_name = 'subscription_cancelled' as is_cancel
    from event_positions
    where {{ is_kept }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by subscription_id order by effective_at, occurred_at, record_id
        ) as event_seq
    from positions
),

-- The last opening and the last cancellation before each event.
marked as (
    select
        *,
        max(case when is_opening then event_seq end) over (
            partition by subscription_id order by event_seq rows between unbounded preceding and 1 preceding
        ) as previous_opening_seq,
        max(case when is_cancel then event_seq end) over (
            partition by subscription_id order by event_seq rows between unbounded preceding and 1 preceding
        ) as previous_cancel_seq
    from ordered
),

-- A start or renewal opens a run when none ran before it, or a cancellation came
-- after the last one: a start while the subscription runs is a renewal.
run_starts as (
    select
        *,
        coalesce(
            is_opening and (previous_opening_seq is null or coalesce(previous_cancel_seq, 0) > previous_opening_seq),
            false
        ) as starts_run
    from marked
),

runs as (
    select
        *,
        sum(case when starts_run then 1 else 0 end) over (
            partition by subscription_id order by event_seq rows between unbounded preceding and current row
        ) as run_number
    from run_starts
),

-- Events before the first start (a cancellation or an update) change nothing.
in_runs as (
    select
        *,
        min(case when is_cancel then event_seq end) over (partition by subscription_id, run_number) as cancel_seq
    from runs
    where run_number > 0
),

placed as (
    select
        kept.*,
        in_runs.is_opening,
        in_runs.is_cancel,
        in_runs.starts_run,
        in_runs.event_seq,
        in_runs.run_number,
        in_runs.cancel_seq
    from in_runs
    inner join kept
        on in_runs.record_id = kept.record_id
),

final as (
    select
        record_id,
        event_name,
        occurred_at,
        effective_at,
        customer_id,
        subscription_id,
        plan_key,
        plan_name,
        product_name,
        monthly_recurring_value,
        currency,
        billing_interval,
        billing_interval_count,
        is_trial,
        is_opening,
        is_cancel,
        starts_run,
        event_seq,
        run_number,
        cancel_seq,
        -- After the run's first cancellation, until the next opening, nothing counts.
        cancel_seq is null or event_seq <= cancel_seq as is_live
    from placed
)

select * from final
