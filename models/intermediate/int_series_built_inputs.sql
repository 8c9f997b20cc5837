-- One row per counting subscription item: int_series_inputs as it was when the
-- customer series marts (fct_mrr, fct_mrr_by_plan) were last built. Written after
-- both, so when one of them fails or is skipped this stays at the last run that
-- built both; a run that does not select both keeps the previous rows too
-- (int_series_built_months).
-- depends_on: {{ ref('mrr', 'fct_mrr') }}
-- depends_on: {{ ref('mrr', 'fct_mrr_by_plan') }}
{%- set previous = load_relation(this) %}
{%- set together = mrr_series_built_together() or not mrr_series_are_incremental() %}
{#- Not both built in this run: keep the previous record when there is one. -#}
{%- set rows_from = previous if (not together and previous is not none) else 'inputs' %}

with

inputs as (
    select * from {{ ref('mrr', 'int_series_inputs') }}
),

final as (
    select
        customer_id,
        plan_key,
        plan_id,
        plan_name,
        product_name,
        segment,
        country_code,
        monthly_amount_reporting,
        effective_start_date,
        effective_end_date
    from {{ rows_from }}
)

select * from final
