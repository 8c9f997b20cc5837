-- One row per customer, plan and month with the customer's MRR on that plan above 0
-- on the month's snapshot day (spec section 8). Rounded per pair, so the plans of a
-- customer can add up to its MRR in int_customer_mrr_monthly only within 0.000001
-- per pair.
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
        items.plan_id,
        items.monthly_amount_reporting
    from items
    inner join months
        on
            items.effective_start_date <= months.snapshot_date
            -- A far date for an open end keeps this a pure range join (see
            -- int_customer_mrr_monthly).
            and coalesce(items.effective_end_date, {{ mrr_open_end_date() }}) > months.snapshot_date
),

customer_plan_months as (
    select
        month,
        customer_id,
        plan_id,
        {{ mrr_round_money('sum(monthly_amount_reporting)') }} as mrr,
        count(*) as active_items
    from items_on_snapshot_days
    group by month, customer_id, plan_id
    -- The rounded MRR is above 0 exactly when the sum is at least half the last
    -- unit (half away from zero). Filtering on the sum, not on the rounded value,
    -- rounds each of millions of 128-bit decimals once instead of twice.
    having sum(monthly_amount_reporting) >= 0.0000005
),

final as (
    select
        month,
        customer_id,
        plan_id,
        mrr,
        active_items
    from customer_plan_months
)

select * from final
