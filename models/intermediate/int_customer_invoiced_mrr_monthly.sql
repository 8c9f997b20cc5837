-- One row per customer per month with invoiced MRR: every subscription invoice line
-- with a service period, normalised to a monthly amount and counted in each month
-- whose snapshot day its service period covers (the ChartMogul approach), so an
-- annual invoice of 1,200 shows 100 in each of its twelve months.
--
-- A view: its one reader, fct_mrr_reconciliation, joins it once, so the aggregate
-- runs inside that join instead of being written and read back (a row per
-- customer-month: as a table it cost more to write than the join saves).
{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('mrr', 'int_invoice_lines_converted') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

service_periods as (
    select
        invoice_line_id,
        customer_id,
        net_amount_reporting,
        cast(period_start as date) as service_start_date,
        cast(period_end as date) as service_end_date,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} as service_days -- noqa: LT05
    from lines
    where
        line_type = 'subscription'
        and period_start is not null
        and period_end is not null
        and cast(period_start as date) < cast(period_end as date)
),

normalised as (
    select
        *,
        -- Calendar months run 28 to 31 days, so a period of about a month or more
        -- counts in whole months (31 days is 1, 365 days is 12); a shorter one
        -- (weekly, daily) in exact days: monthly = amount x 365 / (days x 12).
        cast(round(service_days * 12.0 / 365) as {{ dbt.type_int() }}) as whole_service_months
    from service_periods
),

line_monthly_amounts as (
    select
        customer_id,
        service_start_date,
        service_end_date,
        case
            when whole_service_months >= 1
                then {{ mrr_divide('net_amount_reporting', 'whole_service_months') }}
            else {{ mrr_divide('net_amount_reporting * 365', 'service_days * 12') }}
        end as invoiced_monthly_amount
    from normalised
),

line_months as (
    select
        months.month,
        line_monthly_amounts.customer_id,
        line_monthly_amounts.invoiced_monthly_amount
    from line_monthly_amounts
    inner join months
        on
            line_monthly_amounts.service_start_date <= months.snapshot_date
            and line_monthly_amounts.service_end_date > months.snapshot_date
),

final as (
    select
        month,
        customer_id,
        {{ mrr_round_money('sum(invoiced_monthly_amount)') }} as invoiced_mrr,
        count(*) as invoice_lines
    from line_months
    group by month, customer_id
)

select * from final
