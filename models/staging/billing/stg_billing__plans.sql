-- One row per valid plan.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
with

base as (
    select * from {{ ref('mrr', 'base_billing__plans') }}
),

final as (
    select
        plan_id,
        plan_name,
        product_name,
        charge_type,
        billing_interval,
        billing_interval_count,
        price,
        currency,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
