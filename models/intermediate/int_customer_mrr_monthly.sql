-- One row per customer per month with MRR above 0 on the month's snapshot day or on
-- the month before's (spec sections 5 and 6): the months a customer pays, each with
-- its previous month's MRR, and the month after each run with MRR 0 (its churn
-- month). Readers of paying months filter mrr > 0. Items are joined to months by
-- range, so the cost grows with active customer-months, not customers x months.
with

items as (
    select * from {{ ref('int_subscription_items_active') }}
),

months as (
    select * from {{ ref('int_months') }}
),

{{ mrr_monthly_series_ctes('items', 'months', ['customer_id']) }},

final as (
    select
        month,
        customer_id,
        mrr,
        previous_mrr,
        active_items
    from series
)

select * from final
