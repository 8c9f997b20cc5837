{{ config(grants=mrr_reader_grants()) }}
-- One row per month (by invoice issue date) of invoiced revenue in the reporting
-- currency, net of line discounts and without tax, by line type (spec section 7).
with

lines as (
    select * from {{ ref('mrr', 'int_invoice_lines_converted') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

customer_months as (
    select * from {{ ref('mrr', 'fct_mrr') }}
    -- The months with MRR; the model also holds each run's churn month (MRR 0).
    where mrr > 0
),

-- The window opens with the first month that has MRR or invoiced revenue.
window_start as (
    select min(first_month) as first_month
    from (
        select min(month) as first_month from customer_months
        union all
        select min(issued_month) as first_month from lines
    ) as candidates
),

monthly as (
    select
        issued_month as month,
        sum(case when line_type in ('subscription', 'proration') then net_amount_reporting else 0 end)
            as recurring_revenue,
        sum(case when line_type = 'usage' then net_amount_reporting else 0 end) as usage_revenue,
        sum(case when line_type = 'one_time' then net_amount_reporting else 0 end) as one_time_revenue,
        sum(case when line_type = 'setup' then net_amount_reporting else 0 end) as setup_revenue,
        sum(net_amount_reporting) as total_revenue
    from lines
    group by issued_month
),

rounded as (
    select
        months.month,
        cast(coalesce(monthly.recurring_revenue, 0) as {{ mrr_money_type() }}) as recurring_revenue,
        cast(coalesce(monthly.usage_revenue, 0) as {{ mrr_money_type() }}) as usage_revenue,
        cast(coalesce(monthly.one_time_revenue, 0) as {{ mrr_money_type() }}) as one_time_revenue,
        cast(coalesce(monthly.setup_revenue, 0) as {{ mrr_money_type() }}) as setup_revenue,
        -- Every figure is its own exact value rounded once (spec section 3): the
        -- total of the lines, not the sum of the rounded categories, which can be
        -- a millionth or two away from it. The categories add up to the total
        -- within 0.000002 (four roundings).
        cast(coalesce(monthly.total_revenue, 0) as {{ mrr_money_type() }}) as total_revenue
    from months
    inner join window_start
        on months.month >= window_start.first_month
    left join monthly
        on months.month = monthly.month
),

final as (
    select
        month,
        recurring_revenue,
        usage_revenue,
        one_time_revenue,
        setup_revenue,
        total_revenue
    from rounded
)

select * from final
