-- One row per customer per month with MRR above 0 on the month's snapshot day
-- (spec section 5). Items are joined to months by range, so the cost grows with
-- active customer-months, not customers x months.
with

items as (
    select * from {{ ref('int_subscription_items_active') }}
),

months as (
    select * from {{ ref('int_months') }}
),

items_on_snapshot_days as (
    select
        months.month,
        items.customer_id,
        items.monthly_amount_reporting
    from items
    inner join months
        on
            items.effective_start_date <= months.snapshot_date
            -- An open end as a far date rather than "or is null" keeps this a pure
            -- range join the warehouse can run as one (an OR is checked pair by pair).
            and coalesce(items.effective_end_date, {{ mrr_open_end_date() }}) > months.snapshot_date
),

customer_months as (
    select
        month,
        customer_id,
        -- The spec's only rounding: 6 decimals, so equal values compare equal.
        {{ mrr_round_money('sum(monthly_amount_reporting)') }} as mrr,
        count(*) as active_items
    from items_on_snapshot_days
    group by month, customer_id
    -- The rounded MRR is above 0 exactly when the sum is at least half the last
    -- unit (half away from zero). Filtering on the sum, not on the rounded value,
    -- rounds each of millions of 128-bit decimals once instead of twice.
    having sum(monthly_amount_reporting) >= 0.0000005
),

final as (
    select
        month,
        customer_id,
        mrr,
        active_items
    from customer_months
)

select * from final
