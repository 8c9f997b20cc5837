-- One row per customer that counts.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
with

base as (
    select * from {{ ref('mrr', 'base_billing__customers') }}
),

final as (
    select
        customer_id,
        country_code,
        segment,
        created_at,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
