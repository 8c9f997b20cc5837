-- One row per customer, plan and month in which the customer's MRR on that plan is
-- above 0 or churned from it (spec section 8). Each (customer, plan) series moves on
-- its own, so a plan change is churn on the old plan and new or reactivation on the
-- new one, while fct_mrr shows the customer's single expansion or contraction. The
-- series and movement rules are the macros of fct_mrr (mrr_series_periods_ctes,
-- mrr_series_months_ctes), keyed on the customer and plan_key.
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

{%- set attributes = ['plan_id', 'plan_name', 'product_name', 'segment', 'country_code'] %}

{{ mrr_series_periods_ctes(
    'items_with_attributes', 'months', ['customer_id', 'plan_key'], carried_columns=attributes,
) }},

{{ mrr_series_months_ctes(
    'series_period_amounts', ['customer_id', 'plan_key'], carried_columns=attributes, rebuild_scope=true,
) }},

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
    from series
)

select * from final
