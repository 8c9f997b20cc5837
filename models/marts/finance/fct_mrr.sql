{{ config(grants=mrr_reader_grants()) }}
-- One row per customer per month in which the customer has MRR above 0 or churned
-- (spec sections 6 and 7), with the previous month's MRR and the movement. The
-- counting items become periods of constant MRR (macro mrr_series_periods_ctes:
-- when an item counts, section 4, and the rounding, section 5), the periods
-- become months, and each month is classified here (section 6).
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

-- The spine's last month is the month of as_of_date, its snapshot day as_of_date.
spine_bounds as (
    select
        min(month) as spine_start_month,
        max(month) as spine_end_month,
        max(snapshot_date) as spine_end_snapshot_date
    from months
),

-- One row per customer and period between two changes of its MRR, with the MRR of
-- the period before and the customer's first month with MRR.
{{ mrr_series_periods_ctes('periods', 'items', 'spine_bounds', ['customer_id']) }},

-- Every month of every period (on an incremental run, the months to rebuild).
period_months as (
    {{ mrr_series_period_months('periods', 'months', 'spine_bounds', ['customer_id'], rebuild_scope=true) }}
),

-- A period's first month follows the period before it; its other months keep its
-- MRR, so their previous month's MRR is their own.
customer_months as (
    select
        month,
        customer_id,
        first_paying_month,
        mrr,
        case when month = start_month then previous_period_mrr else mrr end as previous_mrr
    from period_months
),

-- The movement of each month (spec section 6). A month after one without MRR is
-- new only in the customer's first month with MRR, and a reactivation after that.
movements as (
    select
        month,
        customer_id,
        mrr,
        previous_mrr,
        case
            when mrr = 0 then 'churn'
            when previous_mrr = 0 and month = first_paying_month then 'new'
            when previous_mrr = 0 then 'reactivation'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        mrr - previous_mrr as movement_amount
    from customer_months
),

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
