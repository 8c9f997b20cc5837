-- The bridge of the forward book (spec section 9.1): in every forward month,
-- opening MRR + every movement = closing MRR exactly, opening = the month before's
-- closing, customers likewise, and the first forward month opens with the closing
-- MRR and customers of the month of as_of_date in fct_mrr_movements (0 when the
-- reporting window has no month). Any returned row is a month where it breaks.
with

committed as (
    select * from {{ ref('mrr', 'fct_mrr_committed') }}
),

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

as_of_month as (
    select
        coalesce(max(closing_mrr), 0) as closing_mrr,
        coalesce(max(closing_customers), 0) as closing_customers
    from movements
    where month = cast({{ dbt.date_trunc('month', mrr_as_of_date()) }} as date)
),

with_prior as (
    select
        committed.*,
        coalesce(
            lag(committed.closing_mrr) over (order by committed.months_ahead), as_of_month.closing_mrr
        ) as prior_closing_mrr,
        coalesce(
            lag(committed.closing_customers) over (order by committed.months_ahead), as_of_month.closing_customers
        ) as prior_closing_customers
    from committed
    cross join as_of_month
)

select *
from with_prior
where
    opening_mrr + new_mrr + expansion_mrr + contraction_mrr + churned_mrr + reactivation_mrr != closing_mrr
    or new_mrr + expansion_mrr + contraction_mrr + churned_mrr + reactivation_mrr != net_new_mrr
    or opening_customers + new_customers + reactivated_customers - churned_customers != closing_customers
    or opening_customers != expansion_customers + contraction_customers + churned_customers + retained_customers
    or opening_mrr != prior_closing_mrr
    or opening_customers != prior_closing_customers
