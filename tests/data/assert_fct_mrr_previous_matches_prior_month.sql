-- previous_mrr of every fct_mrr row is exactly the customer's mrr in the month
-- before (0 when the customer had no row then), so movements chain without gaps.
with

mrr as (
    select * from {{ ref('fct_mrr') }}
),

checked as (
    select
        current_month.month,
        current_month.customer_id,
        current_month.previous_mrr,
        coalesce(prior_month.mrr, 0) as prior_month_mrr
    from mrr as current_month
    left join mrr as prior_month
        on
            current_month.customer_id = prior_month.customer_id
            and prior_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
)

select *
from checked
where previous_mrr != prior_month_mrr
