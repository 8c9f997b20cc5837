-- One row per customer, plan and month in which the customer's MRR on that plan is
-- above 0 or churned from it (spec section 8). Each (customer, plan) series moves on
-- its own, so a plan change is churn on the old plan and new or reactivation on the
-- new one, while fct_mrr shows the customer's single expansion or contraction. The
-- movement rules are the macro mrr_movement_ctes, shared with fct_mrr.
{{ config(
    materialized='incremental' if mrr_series_are_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ mrr_delete_rebuild_scope() }}",
) }}
-- depends_on: {{ ref('int_series_rebuild_scope') }}
with

plan_keys as (
    select * from {{ ref('int_plan_keys') }}
),

plans as (
    select * from {{ ref('stg_billing__plans') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

-- The plan's id and names by plan_key, so each of the mart's rows (40M at 1M
-- customers on the long data shape) is joined once on a whole number, not also on
-- the long plan_id.
plan_attributes as (
    select
        plan_keys.plan_key,
        plan_keys.plan_id,
        plans.plan_name,
        plans.product_name
    from plan_keys
    left join plans
        on plan_keys.plan_id = plans.plan_id
),

-- The series key is plan_key (int_plan_keys), not plan_id: the join of each row to
-- its series' first month hashes a whole number instead of a long text; plan_id
-- comes back below. The series is read from the table, not an import CTE, as in
-- fct_mrr: DuckDB would materialise a CTE read twice (40M rows at 1M customers).
{{ mrr_movement_ctes(ref('int_customer_plan_mrr_monthly'), ['customer_id', 'plan_key'], rebuild_scope=true) }},

final as (
    select
        cast(movements.month as date) as month,
        cast(movements.customer_id as {{ mrr_string_type() }}) as customer_id,
        cast(plan_attributes.plan_id as {{ mrr_string_type() }}) as plan_id,
        cast(plan_attributes.plan_name as {{ mrr_string_type() }}) as plan_name,
        cast(plan_attributes.product_name as {{ mrr_string_type() }}) as product_name,
        cast(customers.segment as {{ mrr_string_type() }}) as segment,
        cast(customers.country_code as {{ mrr_string_type() }}) as country_code,
        cast(movements.mrr as {{ mrr_money_type() }}) as mrr,
        cast(movements.previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(movements.movement_type as {{ mrr_string_type() }}) as movement_type,
        cast(movements.movement_amount as {{ mrr_money_type() }}) as movement_amount
    from movements
    left join plan_attributes
        on movements.plan_key = plan_attributes.plan_key
    left join customers
        on movements.customer_id = customers.customer_id
)

select * from final
