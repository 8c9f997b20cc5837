-- One row per customer, plan and month with the customer's MRR on that plan above 0
-- on the month's snapshot day or on the month before's (spec section 8), as
-- int_customer_mrr_monthly per customer: each month with the previous month's MRR,
-- and the month after each run with MRR 0. Rounded per pair, so the plans of a
-- customer can add up to its MRR in int_customer_mrr_monthly only within 0.000001
-- per pair. Keyed on plan_key (int_plan_keys), which sorts and hashes faster than
-- the long plan_id. The series logic of fct_mrr_by_plan, built from the same macros.
--
-- A view, as int_customer_mrr_monthly: the series is the largest table of a
-- build, and fct_mrr_by_plan writes it anyway.
{{ config(materialized='view') }}

with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

plan_keys as (
    select * from {{ ref('mrr', 'int_plan_keys') }}
),

items_with_plan_keys as (
    select
        items.customer_id,
        plan_keys.plan_key,
        items.monthly_amount_reporting,
        items.effective_start_date,
        items.effective_end_date
    from items
    left join plan_keys
        on items.plan_id = plan_keys.plan_id
),

{{ mrr_monthly_series_ctes('items_with_plan_keys', 'months', ['customer_id', 'plan_key']) }},

final as (
    select
        month,
        customer_id,
        plan_key,
        mrr,
        previous_mrr,
        active_items
    from series
)

select * from final
