-- One row per version of a Stripe subscription (a row of Fivetran's history-mode
-- table subscription_history), in the columns and types of the raw table
-- `subscriptions`. The version that began last wins downstream, as for any raw table.
with

history as (
    select * from {{ source('stripe', 'subscription_history') }}
),

versions as (
    select
        id,
        customer_id,
        created,
        start_date,
        trial_end,
        canceled_at,
        cancel_at,
        cancel_at_period_end,
        current_period_end,
        ended_at,
        _fivetran_active,
        lower(trim(status)) as status,
        coalesce(_fivetran_start, _fivetran_synced) as version_started_at
    from history
),

-- Since when a subscription has been unpaid or paused without a break: the start
-- of its last run of such versions (docs/stripe.md, statuses).
stopped as (
    select
        id,
        max(case when status not in ('unpaid', 'paused') then version_started_at end) as last_serving_version_at
    from versions
    group by id
),

stopped_since as (
    select
        versions.id,
        min(versions.version_started_at) as stopped_at
    from versions
    inner join stopped
        on versions.id = stopped.id
    where
        versions.status in ('unpaid', 'paused')
        and (stopped.last_serving_version_at is null or versions.version_started_at > stopped.last_serving_version_at)
    group by versions.id
),

final as (
    select
        cast(versions.id as {{ dbt.type_string() }}) as subscription_id,
        cast(versions.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(versions.status as {{ dbt.type_string() }}) as status,
        cast(versions.created as {{ dbt.type_timestamp() }}) as created_at,
        -- An incomplete subscription never had its first payment: it never started.
        cast(
            case when versions.status not in ('incomplete', 'incomplete_expired') then versions.start_date end
            as {{ dbt.type_timestamp() }}
        ) as started_at,
        cast(versions.trial_end as {{ dbt.type_timestamp() }}) as trial_end_at,
        cast(versions.canceled_at as {{ dbt.type_timestamp() }}) as canceled_at,
        -- cancel_at_period_end schedules the end at the end of the current period.
        cast(
            coalesce(
                versions.cancel_at,
                case when versions.cancel_at_period_end then versions.current_period_end end
            )
            as {{ dbt.type_timestamp() }}
        ) as cancel_at,
        -- Unpaid and paused subscriptions serve nothing: they stop counting when
        -- they entered that status.
        cast(
            case
                when versions.status in ('unpaid', 'paused')
                    then coalesce(versions.ended_at, stopped_since.stopped_at)
                else versions.ended_at
            end
            as {{ dbt.type_timestamp() }}
        ) as ended_at,
        cast(versions.version_started_at as {{ dbt.type_timestamp() }}) as updated_at,
        -- Fivetran closes the last version of a record deleted at the source.
        cast(not coalesce(versions._fivetran_active, true) as {{ dbt.type_boolean() }}) as is_deleted
    from versions
    left join stopped_since
        on versions.id = stopped_since.id
)

select * from final
