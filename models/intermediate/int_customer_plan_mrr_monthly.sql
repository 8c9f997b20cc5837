-- One row per customer, plan and month with the customer's MRR on that plan above 0
-- on the month's snapshot day (spec section 8). Rounded per pair, so the plans of a
-- customer can add up to its MRR in int_customer_mrr_monthly only within 0.000001
-- per pair. Grouped on plan_key (int_plan_keys), which sorts and hashes faster than
-- the long plan_id; plan_id stays on each row for whoever reads this model.
with

items as (
    select * from {{ ref('int_subscription_items_active') }}
),

months as (
    select * from {{ ref('int_months') }}
),

plan_keys as (
    select * from {{ ref('int_plan_keys') }}
),

items_on_snapshot_days as (
    select
        months.month,
        items.customer_id,
        plan_keys.plan_key,
        items.monthly_amount_reporting
    from items
    left join plan_keys
        on items.plan_id = plan_keys.plan_id
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
        plan_key,
        {{ mrr_round_money('sum(monthly_amount_reporting)') }} as mrr,
        count(*) as active_items
    from items_on_snapshot_days
    group by month, customer_id, plan_key
    -- The rounded MRR is above 0 exactly when the sum is at least half the last
    -- unit (half away from zero). Filtering on the sum, not on the rounded value,
    -- rounds each of millions of 128-bit decimals once instead of twice.
    having sum(monthly_amount_reporting) >= 0.0000005
),

final as (
    select
        customer_plan_months.month,
        customer_plan_months.customer_id,
        plan_keys.plan_id,
        customer_plan_months.plan_key,
        customer_plan_months.mrr,
        customer_plan_months.active_items
    from customer_plan_months
    left join plan_keys
        on customer_plan_months.plan_key = plan_keys.plan_key
)

select * from final
