-- One row per counting subscription item with everything the customer series read
-- of it: a customer's rows in fct_mrr and fct_mrr_by_plan follow from that
-- customer's rows here and from the month spine (int_months) alone. An incremental run compares these rows with the
-- ones the series were last built from (int_series_built_inputs) to find the
-- customers to recompute (int_series_rebuild_scope).
{{ config(materialized='view') }}

with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

plan_keys as (
    select * from {{ ref('mrr', 'int_plan_keys') }}
),

plans as (
    select * from {{ ref('mrr', 'stg_billing__plans') }}
),

customers as (
    select * from {{ ref('mrr', 'stg_billing__customers') }}
),

final as (
    select
        items.customer_id,
        plan_keys.plan_key,
        items.plan_id,
        plans.plan_name,
        plans.product_name,
        customers.segment,
        customers.country_code,
        items.monthly_amount_reporting,
        items.effective_start_date,
        items.effective_end_date
    from items
    left join plan_keys
        on items.plan_id = plan_keys.plan_id
    left join plans
        on items.plan_id = plans.plan_id
    left join customers
        on items.customer_id = customers.customer_id
)

select * from final
