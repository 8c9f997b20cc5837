-- Every paying customer belongs to exactly one cohort, so in every month the
-- cohorts' active customers and MRR add up to fct_mrr_movements' closing figures,
-- and every month of the window after the first cohort is covered.
with

cohorts as (
    select * from {{ ref('mrr', 'fct_cohort_retention') }}
),

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

cohort_totals as (
    select
        month,
        sum(active_customers) as active_customers,
        sum(mrr) as mrr
    from cohorts
    group by month
)

select
    movements.month,
    movements.closing_customers,
    movements.closing_mrr,
    cohort_totals.active_customers,
    cohort_totals.mrr
from movements
left join cohort_totals
    on movements.month = cohort_totals.month
where
    coalesce(cohort_totals.active_customers, 0) != movements.closing_customers
    or coalesce(cohort_totals.mrr, 0) != movements.closing_mrr
