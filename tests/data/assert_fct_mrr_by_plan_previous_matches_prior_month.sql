-- previous_mrr of every fct_mrr_by_plan row is exactly the customer's mrr on the
-- same plan in the month before (0 when there was no row), so each customer-plan
-- series chains without gaps and its bridge holds per plan and per product.
with

by_plan as (
    select * from {{ ref('fct_mrr_by_plan') }}
),

checked as (
    select
        current_month.month,
        current_month.customer_id,
        current_month.plan_id,
        current_month.previous_mrr,
        coalesce(prior_month.mrr, 0) as prior_month_mrr
    from by_plan as current_month
    left join by_plan as prior_month
        on
            current_month.customer_id = prior_month.customer_id
            and current_month.plan_id = prior_month.plan_id
            and prior_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
)

select *
from checked
where previous_mrr != prior_month_mrr
