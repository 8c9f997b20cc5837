{{ config(materialized='table') }}
-- One row per item version of a subscription: from a start, renewal or update that
-- changes its monthly value, currency or plan (or opens a run) until the next such
-- change or the run's end. A renewal or a conversion at the same value keeps the
-- version, and with it the exchange rate locked at its start (spec section 3).
with

timeline as (
    select * from {{ ref('mrr', 'base_events__event_timeline') }}
),

runs as (
    select * from {{ ref('mrr', 'base_events__subscription_runs') }}
),

-- The events that set the value while the run lasts (an update after a lapse
-- changes nothing). A reopened run that starts with a trial counts from its
-- conversion unless trials are counted: only the first run's trial is the
-- subscription's trial_end_at.
value_events as (
    select
        timeline.*,
        runs.run_end_at
    from timeline
    inner join runs
        on
            timeline.subscription_id = runs.subscription_id
            and timeline.run_number = runs.run_number
    where
        timeline.is_live
        and not timeline.is_cancel
        and (runs.run_end_at is null or timeline.effective_at < runs.run_end_at)
        and (
            {{ 'true' if mrr_include_trials() else 'false' }}
            or runs.run_number = 1
            or not runs.is_trial_run
            or timeline.event_seq >= runs.conversion_seq
        )
),

changes as (
    select
        *,
        lag(monthly_recurring_value) over w as previous_value,
        lag(currency) over w as previous_currency,
        lag(plan_key) over w as previous_plan_key,
        row_number() over w as run_value_seq
    from value_events
    window w as (partition by subscription_id, run_number order by event_seq)
),

version_starts as (
    select * from changes
    where
        run_value_seq = 1
        or monthly_recurring_value != previous_value
        or currency != previous_currency
        or plan_key != previous_plan_key
),

final as (
    select
        {{ dbt.concat(['subscription_id', "'@'", 'record_id']) }} as subscription_item_id,
        subscription_id,
        run_number,
        plan_key,
        plan_name,
        product_name,
        currency,
        monthly_recurring_value,
        effective_at as valid_from,
        coalesce(
            lead(effective_at) over (partition by subscription_id, run_number order by event_seq),
            run_end_at
        ) as valid_to,
        occurred_at
    from version_starts
)

select * from final
