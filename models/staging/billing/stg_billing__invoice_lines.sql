-- One row per valid invoice line of a valid invoice.
-- Only records that are kept: not soft deleted, not a test customer's, not rejected.
with

base as (
    select * from {{ ref('mrr', 'base_billing__invoice_lines') }}
),

final as (
    select
        invoice_line_id,
        invoice_id,
        line_type,
        quantity,
        amount,
        discount_amount,
        period_start,
        period_end,
        updated_at
    from base
    where
        exclusion_reason is null
        and rejection_reason is null
)

select * from final
