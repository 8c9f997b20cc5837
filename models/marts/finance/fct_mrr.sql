-- One row per customer per month in which the customer has MRR above 0 or churned
-- (spec sections 6 and 7), within the reporting window. int_customer_mrr_monthly
-- already holds these rows with the previous month's MRR; the movement rules are
-- the macro mrr_movement_ctes, shared with fct_mrr_by_plan.
{{ config(
    materialized='incremental' if mrr_series_are_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ mrr_delete_rebuild_scope() }}",
) }}
-- depends_on: {{ ref('int_series_rebuild_scope') }}
with

-- The series is read twice (its first months, then every row), straight from the
-- table and not through an import CTE: DuckDB materialises a CTE read twice, here
-- 37M rows and about 2 GB at 1M customers, which then competes for memory with
-- the models built beside this one.
{{ mrr_movement_ctes(ref('int_customer_mrr_monthly'), ['customer_id'], rebuild_scope=true) }},

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ mrr_string_type() }}) as customer_id,
        cast(mrr as {{ mrr_money_type() }}) as mrr,
        cast(previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(movement_type as {{ mrr_string_type() }}) as movement_type,
        cast(movement_amount as {{ mrr_money_type() }}) as movement_amount
    from movements
)

select * from final
