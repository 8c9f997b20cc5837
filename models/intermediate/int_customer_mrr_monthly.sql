-- One row per customer per month with MRR above 0 on the month's snapshot day or on
-- the month before's (spec sections 5 and 6): the months a customer pays, each with
-- its previous month's MRR, and the month after each run with MRR 0 (its churn
-- month). Readers of paying months filter mrr > 0. Items are joined to months by
-- range, so the cost grows with active customer-months, not customers x months.
{{ config(
    materialized='incremental' if mrr_series_are_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ mrr_delete_rebuild_scope() }}",
) }}
-- depends_on: {{ ref('int_series_rebuild_scope') }}
with

items as (
    select * from {{ ref('int_subscription_items_active') }}
),

months as (
    select * from {{ ref('int_months') }}
),

{{ mrr_monthly_series_ctes('items', 'months', ['customer_id'], rebuild_scope=true) }},

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
