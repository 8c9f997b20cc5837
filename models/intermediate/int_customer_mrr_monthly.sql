-- One row per customer per month with MRR above 0 on the month's snapshot day or on
-- the month before's (spec sections 5 and 6): the months a customer pays, each with
-- its previous month's MRR, and the month after each run with MRR 0 (its churn
-- month). The series logic of fct_mrr, which is built from the same macro with the
-- movements and is what other models read.
--
-- A view: the series is one row per customer-month, and writing it a second time
-- beside fct_mrr costs a full build more than it saves. Computing it again is
-- cheap (periods of constant MRR, macro mrr_series_periods_ctes), so it stays
-- here, under its unit tests, for whoever wants the series without the movements.
{{ config(materialized='view') }}

with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
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
