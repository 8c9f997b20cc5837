-- One row per subscription invoice line with a service period that covers at least
-- one month's snapshot day: its amount normalised to a month and the run of months
-- it counts in (the ChartMogul approach), so an annual invoice of 1,200 counts 100
-- in each of its twelve months. fct_mrr_reconciliation adds the lines up per
-- customer and month.
--
-- A view: its one reader, fct_mrr_reconciliation, reads it once.
{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('int_invoice_lines_converted') }}
),

months as (
    select * from {{ ref('int_months') }}
),

-- The spine's last month is the month of as_of_date, its snapshot day as_of_date.
spine_bounds as (
    select
        max(month) as spine_end_month,
        max(snapshot_date) as spine_end_snapshot_date
    from months
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
        invoice_line_id,
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

-- A line counts on a month's snapshot day when its service period covers it: from
-- its start day (inclusive) to its end day (exclusive), the rule of the items.
{{ mrr_counted_months_ctes('line', 'line_monthly_amounts',
    ['invoice_line_id', 'customer_id', 'invoiced_monthly_amount'],
    'service_start_date', 'service_end_date', 'spine_bounds') }},

final as (
    select
        invoice_line_id,
        customer_id,
        invoiced_monthly_amount,
        first_counted_month,
        last_counted_month
    from line_counted_months
    -- A period between two snapshot days covers none.
    where last_counted_month >= first_counted_month
)

select * from final
