-- One row per customer per month in which the customer has MRR above 0 or churned
-- (spec sections 6 and 7), with the previous month's MRR and the movement: the
-- customer series (macro mrr_monthly_series_ctes, as int_customer_mrr_monthly)
-- built from the counting items, periods of constant MRR turned into months.
{{ config(
    materialized='incremental' if mrr_series_are_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ mrr_delete_rebuild_scope() }}",
) }}
-- depends_on: {{ ref('mrr', 'int_series_rebuild_scope') }}
with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

{{ mrr_monthly_series_ctes('items', 'months', ['customer_id'], rebuild_scope=true) }},

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ mrr_string_type() }}) as customer_id,
        cast(mrr as {{ mrr_money_type() }}) as mrr,
        cast(previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(movement_type as {{ mrr_string_type() }}) as movement_type,
        cast(movement_amount as {{ mrr_money_type() }}) as movement_amount
    from series
)

select * from final
