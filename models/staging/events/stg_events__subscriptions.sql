-- One row per subscription of the events that ever opened, in the columns and types
-- of the raw table `subscriptions`. Its runs show in its items (an item ends where a
-- run ends); the subscription carries the first run's start and trial and the last
-- run's end: ended_at when it has passed on as_of_date, cancel_at (a scheduled
-- end, spec section 9.1) when it lies ahead (docs/events.md).
with

runs as (
    select * from {{ ref('mrr', 'base_events__subscription_runs') }}
),

first_runs as (
    select * from runs
    where run_number = 1
),

last_runs as (
    select * from runs
    where is_last_run
),

updates as (
    select
        subscription_id,
        max(last_occurred_at) as updated_at
    from runs
    group by subscription_id
),

final as (
    select
        cast(first_runs.subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(first_runs.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(
            case
                when last_runs.run_end_at is not null then 'canceled'
                when last_runs.is_trial_run and last_runs.trial_converted_at is null then 'trialing'
                else 'active'
            end
            as {{ dbt.type_string() }}
        ) as status,
        cast(first_runs.run_start_occurred_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(first_runs.run_start_at as {{ dbt.type_timestamp() }}) as started_at,
        -- A trial that never converted ends with its run (or never, while it runs):
        -- it never counts unless trials are counted.
        cast(
            case
                when first_runs.is_trial_run
                    then coalesce(
                        first_runs.trial_converted_at,
                        first_runs.run_end_at,
                        cast({{ mrr_open_end_date() }} as {{ dbt.type_timestamp() }})
                    )
            end
            as {{ dbt.type_timestamp() }}
        ) as trial_end_at,
        cast(last_runs.cancel_requested_at as {{ dbt.type_timestamp() }}) as canceled_at,
        cast(
            case when cast(last_runs.run_end_at as date) > {{ mrr_as_of_date() }} then last_runs.run_end_at end
            as {{ dbt.type_timestamp() }}
        ) as cancel_at,
        cast(
            case when cast(last_runs.run_end_at as date) <= {{ mrr_as_of_date() }} then last_runs.run_end_at end
            as {{ dbt.type_timestamp() }}
        ) as ended_at,
        cast(updates.updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from first_runs
    inner join last_runs
        on first_runs.subscription_id = last_runs.subscription_id
    inner join updates
        on first_runs.subscription_id = updates.subscription_id
)

select * from final
