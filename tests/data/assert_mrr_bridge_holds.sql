-- The MRR bridge (spec section 6): in every month, opening MRR + every movement =
-- closing MRR exactly, opening = last month's closing, and customers likewise.
-- Any returned row is a month where the bridge breaks.
with

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

with_prior as (
    select
        *,
        lag(closing_mrr) over (order by month) as prior_closing_mrr,
        lag(closing_customers) over (order by month) as prior_closing_customers,
        row_number() over (order by month) as month_number
    from movements
)

select *
from with_prior
where
    opening_mrr + new_mrr + expansion_mrr + contraction_mrr + churned_mrr + reactivation_mrr != closing_mrr
    or new_mrr + expansion_mrr + contraction_mrr + churned_mrr + reactivation_mrr != net_new_mrr
    or opening_customers + new_customers + reactivated_customers - churned_customers != closing_customers
    or opening_customers != expansion_customers + contraction_customers + churned_customers + retained_customers
    or (month_number > 1 and opening_mrr != prior_closing_mrr)
    or (month_number > 1 and opening_customers != prior_closing_customers)
    -- The window opens on the first month with MRR: nothing to open with.
    or (month_number = 1 and (opening_mrr != 0 or opening_customers != 0))
