{{ config(materialized='table') }}
-- One row per run of a subscription: from the start or renewal that opened it to
-- its end, the earlier of its first cancellation and, for the subscription's last
-- run only, the lapse (the last start or renewal paid for a period that ended more
-- than mrr_event_grace_days before as_of_date; it ended then). A renewal proves
-- continuity however late it comes, so no other run lapses (docs/events.md).
with

timeline as (
    select * from {{ ref('mrr', 'base_events__event_timeline') }}
),

live as (
    select * from timeline
    where is_live
),

-- A trial run converts at its first later start or renewal that is not a trial
-- (an update does not end a trial).
run_facts as (
    select
        subscription_id,
        run_number,
        max(case when starts_run then effective_at end) as run_start_at,
        max(case when starts_run then occurred_at end) as run_start_occurred_at,
        max(case when starts_run then customer_id end) as customer_id,
        max(case when starts_run and is_trial then 1 else 0 end) = 1 as is_trial_run,
        min(case when is_opening and not is_trial and not starts_run then event_seq end) as conversion_seq,
        max(case when is_cancel then effective_at end) as cancelled_at,
        max(case when is_cancel then occurred_at end) as cancel_requested_at,
        max(case when is_opening then event_seq end) as last_opening_seq,
        max(occurred_at) as last_occurred_at
    from live
    group by subscription_id, run_number
),

last_runs as (
    select
        subscription_id,
        max(run_number) as last_run_number
    from run_facts
    group by subscription_id
),

with_events as (
    select
        run_facts.*,
        last_runs.last_run_number = run_facts.run_number as is_last_run,
        conversions.effective_at as converted_at,
        {{ events_add_billing_period(
            'last_openings.effective_at', 'last_openings.billing_interval', 'last_openings.billing_interval_count'
        ) }} as paid_until
    from run_facts
    inner join last_runs
        on run_facts.subscription_id = last_runs.subscription_id
    inner join live as last_openings
        on
            run_facts.subscription_id = last_openings.subscription_id
            and run_facts.last_opening_seq = last_openings.event_seq
    left join live as conversions
        on
            run_facts.subscription_id = conversions.subscription_id
            and run_facts.conversion_seq = conversions.event_seq
),

lapses as (
    select
        *,
        case
            when
                is_last_run
                and {{ mrr_as_of_date() }}
                > cast({{ dbt.dateadd('day', mrr_event_grace_days(), 'cast(paid_until as date)') }} as date)
                then paid_until
        end as lapsed_at
    from with_events
),

final as (
    select
        subscription_id,
        run_number,
        is_last_run,
        customer_id,
        run_start_at,
        run_start_occurred_at,
        is_trial_run,
        cancelled_at,
        cancel_requested_at,
        paid_until,
        lapsed_at,
        last_occurred_at,
        -- The conversion's effective_at is the trial's end.
        case when is_trial_run then converted_at end as trial_converted_at,
        case when is_trial_run then conversion_seq end as conversion_seq,
        case
            when cancelled_at is null then lapsed_at
            when lapsed_at is null then cancelled_at
            when lapsed_at < cancelled_at then lapsed_at
            else cancelled_at
        end as run_end_at
    from lapses
)

select * from final
