-- int_months has no gap, ends in the month of as_of_date, and starts at the first
-- month with activity (the 2,400-month bound was not hit).
with

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

first_activity as (
    select min(first_month) as first_month
    from (
        select cast({{ dbt.date_trunc('month', 'min(effective_start_date)') }} as date) as first_month
        from {{ ref('mrr', 'int_subscription_items_active') }}
        union all
        select min(issued_month) as first_month
        from {{ ref('mrr', 'int_invoice_lines_converted') }}
    ) as candidates
),

summary as (
    select
        min(month) as first_month,
        max(month) as last_month,
        count(*) as month_count,
        {{ dbt.datediff('min(month)', 'max(month)', 'month') }} + 1 as expected_month_count -- noqa: LT05
    from months
)

select summary.*
from summary
cross join first_activity
where
    summary.month_count > 0
    and (
        summary.month_count != summary.expected_month_count
        or summary.last_month != cast({{ dbt.date_trunc('month', mrr_as_of_date()) }} as date)
        or summary.first_month != first_activity.first_month
    )
