-- One row per valid subscription of a counted customer.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
with

base as (
    select * from {{ ref('mrr', 'base_billing__subscriptions') }}
),

final as (
    select
        subscription_id,
        customer_id,
        status,
        created_at,
        started_at,
        trial_end_at,
        canceled_at,
        cancel_at,
        ended_at,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
