-- One row per valid subscription item version.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
-- The last rule, a rate at valid_from, is applied above: int_subscription_items_converted.
with

base as (
    select * from {{ ref('mrr', 'base_billing__subscription_items') }}
),

final as (
    select
        subscription_item_id,
        subscription_id,
        customer_id,
        plan_id,
        quantity,
        unit_price,
        discount_percent,
        discount_amount,
        valid_from,
        valid_to,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
