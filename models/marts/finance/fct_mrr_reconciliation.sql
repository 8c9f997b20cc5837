{{ config(grants=mrr_reader_grants()) }}
-- One row per customer per month of the reporting window in which the customer has
-- contracted MRR (fct_mrr) or invoiced MRR (subscription invoice lines spread over
-- their service periods): both values, the difference and a flag beyond tolerance.
with

contracted as (
    select * from {{ ref('mrr', 'fct_mrr') }}
    -- The months with MRR; the model also holds each run's churn month (MRR 0).
    where mrr > 0
),

invoiced as (
    select * from {{ ref('mrr', 'int_customer_invoiced_mrr_monthly') }}
),

reporting_months as (
    select month from {{ ref('mrr', 'fct_mrr_movements') }}
),

-- One full outer join rather than a union of keys and two joins back: a single
-- pass over the two large inputs.
compared as (
    select
        coalesce(contracted.month, invoiced.month) as month,
        coalesce(contracted.customer_id, invoiced.customer_id) as customer_id,
        coalesce(contracted.mrr, 0) as contracted_mrr,
        coalesce(invoiced.invoiced_mrr, 0) as invoiced_mrr,
        coalesce(invoiced.invoice_lines, 0) as invoice_lines
    from contracted
    full outer join invoiced
        on
            contracted.month = invoiced.month
            and contracted.customer_id = invoiced.customer_id
),

in_window as (
    select compared.*
    from compared
    inner join reporting_months
        on compared.month = reporting_months.month
),

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(contracted_mrr as {{ mrr_money_type() }}) as contracted_mrr,
        cast(invoiced_mrr as {{ mrr_money_type() }}) as invoiced_mrr,
        cast(invoiced_mrr - contracted_mrr as {{ mrr_money_type() }}) as mrr_difference,
        cast(invoice_lines as {{ dbt.type_int() }}) as invoice_lines,
        case
            when invoiced_mrr - contracted_mrr > {{ mrr_reconciliation_tolerance() }} then true
            when contracted_mrr - invoiced_mrr > {{ mrr_reconciliation_tolerance() }} then true
            else false
        end as is_beyond_tolerance
    from in_window
)

select * from final
