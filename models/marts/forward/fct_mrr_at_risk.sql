{{ config(grants=mrr_reader_grants()) }}
-- One row per customer with MRR above 0 on as_of_date and at least one risk signal
-- (spec section 9.5): a scheduled churn or downgrade in the forward book, overdue
-- invoices (delinquent once the oldest is more than var mrr_delinquent_after_days
-- past due), or MRR below its level three months before. With the MRR at risk and
-- the reasons, in a fixed order. No personal data: ids, segment and country only.
with

customers as (
    select * from {{ ref('mrr', 'dim_customers') }}
),

forward_customer_months as (
    select * from {{ ref('mrr', 'int_customer_mrr_forward') }}
),

forward_months as (
    select * from {{ ref('mrr', 'int_forward_months') }}
),

invoices as (
    select * from {{ ref('mrr', 'stg_billing__invoices') }}
),

invoice_lines as (
    select * from {{ ref('mrr', 'int_invoice_lines_converted') }}
),

history as (
    select * from {{ ref('mrr', 'fct_mrr') }}
),

paying_customers as (
    select
        customer_id,
        segment,
        country_code,
        current_mrr
    from customers
    where current_mrr > 0
),

-- Scheduled: the customer's committed MRR over the forward months. A forward month
-- without a row has committed MRR 0; for a customer paying on as_of_date such a
-- month always comes after a row of its own with MRR 0 (the churn), so the first
-- month below the current MRR is always a row.
forward_summary as (
    select
        forward_customer_months.customer_id,
        sum(case when forward_customer_months.mrr > 0 then 1 else 0 end) as paying_forward_months,
        min(forward_customer_months.mrr) as lowest_mrr_of_rows,
        min(
            case
                when forward_customer_months.mrr < paying_customers.current_mrr
                    then forward_customer_months.month
            end
        ) as scheduled_change_month
    from forward_customer_months
    inner join paying_customers
        on forward_customer_months.customer_id = paying_customers.customer_id
    group by forward_customer_months.customer_id
),

forward_month_count as (
    select count(*) as forward_months
    from forward_months
),

scheduled as (
    select
        forward_summary.customer_id,
        forward_summary.scheduled_change_month,
        case
            when forward_summary.paying_forward_months = forward_month_count.forward_months
                then forward_summary.lowest_mrr_of_rows
            else 0
        end as committed_min_mrr
    from forward_summary
    cross join forward_month_count
),

-- Overdue: kept invoices still open or uncollectible, issued on or before
-- as_of_date, due before it and not paid on or before it (days, not instants).
overdue_invoices as (
    select
        invoice_id,
        customer_id,
        cast(due_at as date) as due_date
    from invoices
    where
        status in ('open', 'uncollectible')
        and cast(issued_at as date) <= {{ mrr_as_of_date() }}
        and cast(due_at as date) < {{ mrr_as_of_date() }}
        and (paid_at is null or cast(paid_at as date) > {{ mrr_as_of_date() }})
),

-- Their lines as fct_revenue counts them: net of line discounts, without tax, in
-- the reporting currency at the issue date's rate.
overdue_invoice_amounts as (
    select
        overdue_invoices.invoice_id,
        overdue_invoices.customer_id,
        overdue_invoices.due_date,
        coalesce(sum(invoice_lines.net_amount_reporting), 0) as amount
    from overdue_invoices
    left join invoice_lines
        on overdue_invoices.invoice_id = invoice_lines.invoice_id
    group by
        overdue_invoices.invoice_id,
        overdue_invoices.customer_id,
        overdue_invoices.due_date
),

overdue as (
    select
        customer_id,
        count(*) as overdue_invoices,
        -- The exact total, rounded once.
        {{ mrr_round_money('sum(amount)') }} as overdue_amount,
        min(due_date) as oldest_due_date
    from overdue_invoice_amounts
    group by customer_id
),

-- Contracting: the customer's MRR in the month three months before the month of
-- as_of_date (0 when it had none).
three_months_ago as (
    select
        customer_id,
        mrr
    from history
    where month = cast({{ dbt.dateadd('month', -3, dbt.date_trunc('month', mrr_as_of_date())) }} as date)
),

signals as (
    select
        paying_customers.customer_id,
        paying_customers.segment,
        paying_customers.country_code,
        paying_customers.current_mrr,
        scheduled.committed_min_mrr,
        case
            when paying_customers.current_mrr > scheduled.committed_min_mrr
                then paying_customers.current_mrr - scheduled.committed_min_mrr
            else 0
        end as scheduled_loss_mrr,
        scheduled.scheduled_change_month,
        scheduled.committed_min_mrr = 0 as is_scheduled_churn,
        coalesce(overdue.overdue_invoices, 0) as overdue_invoices,
        coalesce(overdue.overdue_amount, 0) as overdue_amount,
        overdue.oldest_due_date,
        {{ dbt.datediff('overdue.oldest_due_date', mrr_as_of_date(), 'day') }} as days_overdue, -- noqa: LT05
        coalesce(three_months_ago.mrr, 0) as mrr_3_months_ago
    from paying_customers
    inner join scheduled
        on paying_customers.customer_id = scheduled.customer_id
    left join overdue
        on paying_customers.customer_id = overdue.customer_id
    left join three_months_ago
        on paying_customers.customer_id = three_months_ago.customer_id
),

flagged as (
    select
        *,
        coalesce(days_overdue > {{ mrr_delinquent_after_days() }}, false) as is_delinquent,
        current_mrr < mrr_3_months_ago as is_contracting
    from signals
),

final as (
    select
        cast(customer_id as {{ mrr_string_type() }}) as customer_id,
        cast(segment as {{ mrr_string_type() }}) as segment,
        cast(country_code as {{ mrr_string_type() }}) as country_code,
        cast(current_mrr as {{ mrr_money_type() }}) as current_mrr,
        cast(committed_min_mrr as {{ mrr_money_type() }}) as committed_min_mrr,
        cast(scheduled_loss_mrr as {{ mrr_money_type() }}) as scheduled_loss_mrr,
        cast(scheduled_change_month as date) as scheduled_change_month,
        is_scheduled_churn,
        cast(overdue_invoices as {{ dbt.type_int() }}) as overdue_invoices,
        cast(overdue_amount as {{ mrr_money_type() }}) as overdue_amount,
        cast(oldest_due_date as date) as oldest_due_date,
        cast(days_overdue as {{ dbt.type_int() }}) as days_overdue,
        is_delinquent,
        cast(mrr_3_months_ago as {{ mrr_money_type() }}) as mrr_3_months_ago,
        is_contracting,
        -- A churn scheduled or a customer not paying puts the whole MRR at risk;
        -- otherwise what the book already loses.
        cast(
            case
                when is_scheduled_churn or is_delinquent then current_mrr
                else scheduled_loss_mrr
            end
            as {{ mrr_money_type() }}
        ) as mrr_at_risk,
        -- The signals that hold, in this order; concat_ws skips the nulls.
        cast(
            concat_ws(
                ',',
                case when is_scheduled_churn then 'scheduled_churn' end,
                case when scheduled_loss_mrr > 0 and not is_scheduled_churn then 'scheduled_downgrade' end,
                case when is_delinquent then 'delinquent' end,
                case when overdue_invoices > 0 and not is_delinquent then 'overdue' end,
                case when is_contracting then 'contracting' end
            )
            as {{ mrr_string_type() }}
        ) as risk_reasons
    from flagged
    where
        scheduled_loss_mrr > 0
        or overdue_invoices > 0
        or is_contracting
)

select * from final
