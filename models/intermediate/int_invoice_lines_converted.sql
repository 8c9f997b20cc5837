-- One row per invoice line that counts as invoiced revenue: its invoice is open,
-- paid or uncollectible and issued on or before as_of_date. Amounts net of line
-- discounts, without tax, in the reporting currency at the issue date's rate.
with

lines as (
    select * from {{ ref('mrr', 'stg_billing__invoice_lines') }}
),

invoices as (
    select * from {{ ref('mrr', 'stg_billing__invoices') }}
),

included_invoices as (
    select
        invoice_id,
        customer_id,
        issued_at,
        fx_rate_to_reporting
    from invoices
    -- Drafts are not yet revenue and voids never were.
    where
        status in ('open', 'paid', 'uncollectible')
        and cast(issued_at as date) <= {{ mrr_as_of_date() }}
),

-- Only what fct_revenue, int_months, int_customer_invoiced_mrr_monthly and
-- fct_mrr_at_risk (the overdue amount of an invoice) read: this is one of the
-- largest tables of the build, so every column costs.
final as (
    select
        lines.invoice_line_id,
        lines.invoice_id,
        included_invoices.customer_id,
        lines.line_type,
        cast({{ dbt.date_trunc('month', 'included_invoices.issued_at') }} as date) as issued_month,
        lines.period_start,
        lines.period_end,
        {{ mrr_multiply(
            'lines.amount - coalesce(lines.discount_amount, 0)', 'included_invoices.fx_rate_to_reporting'
        ) }} as net_amount_reporting
    from lines
    inner join included_invoices
        on lines.invoice_id = included_invoices.invoice_id
)

select * from final
