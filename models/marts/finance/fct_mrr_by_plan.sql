{{ config(grants=mrr_reader_grants()) }}
-- One row per customer, plan and month in which the customer's MRR on that plan is
-- above 0 or churned from it (spec section 8). Each (customer, plan) series moves on
-- its own, so a plan change is churn on the old plan and new or reactivation on the
-- new one, while fct_mrr shows the customer's single expansion or contraction. The
-- series are built as in fct_mrr (macro mrr_series_periods_ctes for the periods of
-- constant MRR), keyed on the customer and plan_key, and the movement rule is the
-- same, written here for the plan series.
-- Its text columns hold a few values each in tens of millions of rows: cheaper
-- written with DuckDB's dictionary compression (macros/mrr_compress_text_columns.sql).
{{ config(
    materialized='incremental' if mrr_series_are_incremental() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ mrr_delete_rebuild_scope() }}", "{{ mrr_compress_text_columns(true) }}"],
    post_hook="{{ mrr_compress_text_columns(false) }}",
) }}
-- depends_on: {{ ref('mrr', 'int_series_rebuild_scope') }}
with

-- The counting items with the plan's and the customer's attributes, as the
-- series' rebuild scope compares them (int_series_inputs). The series key is
-- plan_key (int_plan_keys), a whole number that sorts faster than the long plan_id.
-- The attributes ride along from the items (a few rows per customer) to the
-- periods: joined to the periods instead, the planner moved those joins above the
-- range join with the months, once per month, several times the work.
items_with_attributes as (
    select * from {{ ref('mrr', 'int_series_inputs') }}
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

{%- set series_key = ['customer_id', 'plan_key'] %}
{%- set attributes = ['plan_id', 'plan_name', 'product_name', 'segment', 'country_code'] %}

-- One row per customer, plan and period between two changes of its MRR, with the
-- MRR of the period before and the pair's first month with MRR.
{{ mrr_series_periods_ctes(
    'periods', 'items_with_attributes', 'spine_bounds', series_key, carried_columns=attributes,
) }},

-- Every month of every period (on an incremental run, the months to rebuild).
period_months as (
    {{ mrr_series_period_months('periods', 'months', 'spine_bounds', series_key + attributes, rebuild_scope=true) }}
),

-- A period's first month follows the period before it; its other months keep its
-- MRR, so their previous month's MRR is their own.
plan_months as (
    select
        month,
        customer_id,
        plan_key,
        plan_id,
        plan_name,
        product_name,
        segment,
        country_code,
        first_paying_month,
        mrr,
        case when month = start_month then previous_period_mrr else mrr end as previous_mrr
    from period_months
),

-- The movement of each month (spec section 6), per customer and plan. A month after
-- one without MRR on the plan is new only in the pair's first month with MRR, and
-- a reactivation after that.
movements as (
    select
        month,
        customer_id,
        plan_id,
        plan_name,
        product_name,
        segment,
        country_code,
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
    from plan_months
),

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ mrr_string_type() }}) as customer_id,
        cast(plan_id as {{ mrr_string_type() }}) as plan_id,
        cast(plan_name as {{ mrr_string_type() }}) as plan_name,
        cast(product_name as {{ mrr_string_type() }}) as product_name,
        cast(segment as {{ mrr_string_type() }}) as segment,
        cast(country_code as {{ mrr_string_type() }}) as country_code,
        cast(mrr as {{ mrr_money_type() }}) as mrr,
        cast(previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(movement_type as {{ mrr_string_type() }}) as movement_type,
        cast(movement_amount as {{ mrr_money_type() }}) as movement_amount
    from movements
)

select * from final
