-- One row per valid invoice of a counted customer, with the fx rate of its issue date.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
with

base as (
    select * from {{ ref('mrr', 'base_billing__invoices') }}
),

final as (
    select
        invoice_id,
        customer_id,
        status,
        currency,
        issued_at,
        due_at,
        paid_at,
        fx_rate_to_reporting,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
