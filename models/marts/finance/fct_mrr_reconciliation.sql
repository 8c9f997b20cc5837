-- One row per customer per month of the reporting window in which the customer has
-- contracted MRR (fct_mrr) or invoiced MRR (subscription invoice lines spread over
-- their service periods): both values, the difference and a flag beyond tolerance.
--
-- How: both values change only in a few months of a customer's history (a movement
-- of fct_mrr; a line that starts or stops counting), so the changes are summed in
-- month order per customer, which gives periods of constant values, and the
-- periods are spread over the months they cover. The sort runs over the changes,
-- not over the customer-months (docs/decisions.md, "Contracted versus invoiced MRR").
with

contracted as (
    select * from {{ ref('fct_mrr') }}
),

lines as (
    select * from {{ ref('int_invoice_lines_spread') }}
),

reporting_months as (
    select month from {{ ref('fct_mrr_movements') }}
),

-- Summed in month order, a customer's movements give its MRR in every month: fct_mrr
-- has a row for each month with MRR and for the month each run ends (a churn back to
-- 0), and its movement is that month's MRR less the month before's (a tested chain).
-- A line adds its monthly amount in its first counted month and takes it back in the
-- month after its last.
changes as (
    select
        customer_id,
        month,
        movement_amount as contracted_change,
        cast(0 as {{ mrr_amount_type() }}) as invoiced_change,
        0 as lines_change
    from contracted
    where movement_amount <> 0
    union all
    select
        customer_id,
        first_counted_month as month,
        cast(0 as {{ mrr_money_type() }}) as contracted_change,
        invoiced_monthly_amount as invoiced_change,
        1 as lines_change
    from lines
    union all
    select
        customer_id,
        cast({{ dbt.dateadd('month', 1, 'last_counted_month') }} as date) as month,
        cast(0 as {{ mrr_money_type() }}) as contracted_change,
        -invoiced_monthly_amount as invoiced_change,
        -1 as lines_change
    from lines
),

customer_changes as (
    select
        customer_id,
        month,
        sum(contracted_change) as contracted_change,
        sum(invoiced_change) as invoiced_change,
        sum(lines_change) as lines_change
    from changes
    group by customer_id, month
),

-- One row per customer and period between two changes, with the values it holds.
periods as (
    select
        customer_id,
        month as start_month,
        coalesce(
            lead(month) over (partition by customer_id order by month),
            {{ mrr_open_end_date() }}
        ) as end_month,
        sum(contracted_change) over (
            partition by customer_id order by month rows between unbounded preceding and current row
        ) as contracted_mrr,
        sum(invoiced_change) over (
            partition by customer_id order by month rows between unbounded preceding and current row
        ) as invoiced_amount,
        sum(lines_change) over (
            partition by customer_id order by month rows between unbounded preceding and current row
        ) as invoice_lines
    from customer_changes
),

-- The invoiced MRR is the sum of the lines' exact monthly amounts, rounded once.
compared as (
    select
        customer_id,
        start_month,
        end_month,
        contracted_mrr,
        case
            when invoice_lines > 0 then {{ mrr_round_money('invoiced_amount') }}
            else cast(0 as {{ mrr_money_type() }})
        end as invoiced_mrr,
        invoice_lines
    from periods
    where
        contracted_mrr > 0
        or invoice_lines > 0
),

in_window as (
    select
        reporting_months.month,
        compared.customer_id,
        compared.contracted_mrr,
        compared.invoiced_mrr,
        compared.invoice_lines
    from compared
    inner join reporting_months
        on
            compared.start_month <= reporting_months.month
            and compared.end_month > reporting_months.month
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
