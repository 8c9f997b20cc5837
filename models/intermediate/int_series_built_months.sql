-- One row per month of the spine (int_months) as it was when the customer series
-- were last built, with its snapshot day: the months whose rows an incremental run
-- recomputes are the ones whose snapshot day moved, that are new, or that left the
-- spine. Written after the four series models, as int_series_built_inputs.
-- depends_on: {{ ref('int_customer_mrr_monthly') }}
-- depends_on: {{ ref('int_customer_plan_mrr_monthly') }}
-- depends_on: {{ ref('fct_mrr') }}
-- depends_on: {{ ref('fct_mrr_by_plan') }}
with

months as (
    select * from {{ ref('int_months') }}
),

final as (
    select
        month,
        snapshot_date
    from months
)

select * from final
