-- One row per recurring subscription item that counts on at least one day: its
-- effective period in days (spec section 4), end exclusive.
{#- The paid period starts when the trial ends, unless trials count at list value. -#}
{%- set paid_period_start = 'items.valid_from' if mrr_include_trials()
    else 'coalesce(subscriptions.trial_end_at, items.valid_from)' %}

with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_valued') }}
),

subscriptions as (
    select * from {{ ref('mrr', 'stg_billing__subscriptions') }}
),

bounded as (
    select
        items.subscription_item_id,
        items.subscription_id,
        items.customer_id,
        items.plan_id,
        items.monthly_amount_reporting,
        -- greatest/least must ignore nulls (spec) but do not on every warehouse, so
        -- each null falls back to a value that cannot win.
        greatest(
            items.valid_from,
            coalesce(subscriptions.started_at, items.valid_from),
            {{ paid_period_start }}
        ) as effective_start_at,
        least(
            coalesce(items.valid_to, subscriptions.ended_at, subscriptions.cancel_at),
            coalesce(subscriptions.ended_at, items.valid_to, subscriptions.cancel_at),
            coalesce(subscriptions.cancel_at, items.valid_to, subscriptions.ended_at)
        ) as effective_end_at
    from items
    inner join subscriptions
        on items.subscription_id = subscriptions.subscription_id
    -- A subscription that never started never counts.
    where
        items.charge_type = 'recurring'
        and subscriptions.started_at is not null
),

final as (
    select
        subscription_item_id,
        subscription_id,
        customer_id,
        plan_id,
        monthly_amount_reporting,
        effective_start_at,
        effective_end_at,
        -- Days, not instants: the item counts on day d when start_date <= d < end_date.
        cast(effective_start_at as date) as effective_start_date,
        cast(effective_end_at as date) as effective_end_date
    from bounded
    where
        effective_end_at is null
        or cast(effective_start_at as date) < cast(effective_end_at as date)
)

select * from final
