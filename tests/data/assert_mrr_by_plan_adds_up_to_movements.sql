-- Spec section 8: summed over plans, opening MRR, closing MRR and net new MRR
-- equal fct_mrr_movements every month, within 0.000001 per customer-plan pair
-- (plan MRR is rounded per pair, customer MRR once per customer). The pairs are
-- counted without a join of items and months: a lower bound of their number, so
-- the test never allows more than the spec does
-- (tests/python/test_mrr_by_plan_rounding.py).
with

by_plan as (
    select * from {{ ref('mrr', 'fct_mrr_by_plan') }}
),

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

plan_totals as (
    select
        month,
        sum(previous_mrr) as opening_mrr,
        sum(mrr) as closing_mrr,
        sum(movement_amount) as net_new_mrr,
        count(*) as pairs
    from by_plan
    group by month
),

compared as (
    select
        movements.month,
        movements.opening_mrr,
        movements.closing_mrr,
        movements.net_new_mrr,
        coalesce(plan_totals.opening_mrr, 0) as plan_opening_mrr,
        coalesce(plan_totals.closing_mrr, 0) as plan_closing_mrr,
        coalesce(plan_totals.net_new_mrr, 0) as plan_net_new_mrr,
        -- Every by-plan row is a pair, and so is at least one pair of each customer
        -- with a row in fct_mrr (MRR or churn), even when each of its pairs rounds
        -- to nothing and has no row: the larger count never exceeds the pairs.
        greatest(
            coalesce(plan_totals.pairs, 0),
            coalesce(movements.closing_customers + movements.churned_customers, 0)
        ) * 0.000001 as tolerance
    from movements
    full outer join plan_totals
        on movements.month = plan_totals.month
)

select *
from compared
where
    month is null
    or abs(opening_mrr - plan_opening_mrr) > tolerance
    or abs(closing_mrr - plan_closing_mrr) > tolerance
    or abs(net_new_mrr - plan_net_new_mrr) > tolerance
