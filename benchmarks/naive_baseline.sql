-- Naive baseline for the scale benchmark: the dbt-labs mrr-playbook shape in one
-- DuckDB script, on the same raw tables the project reads.
--
--   dedup latest versions -> item monthly amounts -> every customer joined to every
--   month of its lifetime (date spine) -> sum of active items per customer-month
--   -> lag() to classify movements.
--
-- It follows the spec's monthly-value rules (sections 3-6) closely enough to do
-- comparable work, but it is a timing reference, not a second implementation:
-- no audit of rejected rows, no row accounting, no tests. It reads the invoice
-- tables too (revenue by month), as the project does. Results land in schema
-- naive_baseline. The raw schema is taken from the search path (the benchmark
-- generates into raw_scale); as-of date and currency are variables so that a
-- caller can SET VARIABLE them before running the script.

set search_path = 'raw_scale';
set variable as_of_date = coalesce(getvariable('as_of_date'), date '2026-10-31');
set variable reporting_currency = coalesce(getvariable('reporting_currency'), 'USD');

create schema if not exists naive_baseline;

-- 1. latest version of every record, soft deletes and test customers removed
create or replace temp table customers_latest as
select trim(customer_id) as customer_id
from customers
qualify row_number() over (partition by trim(customer_id) order by updated_at desc) = 1
    and not is_deleted and not is_test;

create or replace temp table plans_latest as
select
    trim(plan_id) as plan_id,
    lower(trim(charge_type)) as charge_type,
    lower(trim(billing_interval)) as billing_interval,
    coalesce(billing_interval_count, 1) as billing_interval_count,
    price,
    upper(trim(currency)) as currency
from plans
qualify row_number() over (partition by trim(plan_id) order by updated_at desc) = 1
    and not is_deleted;

create or replace temp table subscriptions_latest as
select
    trim(s.subscription_id) as subscription_id,
    trim(s.customer_id) as customer_id,
    s.started_at,
    s.trial_end_at,
    s.cancel_at,
    s.ended_at
from subscriptions as s
qualify row_number() over (partition by trim(s.subscription_id) order by s.updated_at desc) = 1
    and not s.is_deleted;

create or replace temp table items_latest as
select
    trim(subscription_item_id) as subscription_item_id,
    trim(subscription_id) as subscription_id,
    trim(plan_id) as plan_id,
    coalesce(quantity, 1) as quantity,
    unit_price,
    discount_percent,
    discount_amount,
    valid_from,
    valid_to
from subscription_items
qualify row_number() over (partition by trim(subscription_item_id) order by updated_at desc) = 1
    and not is_deleted;

-- 2. fx: a daily spine per currency pair, forward-filled, so that items join on a date
create or replace temp table fx_daily as
with rates as (
    select rate_date, upper(trim(from_currency)) as from_currency, rate
    from fx_rates
    where upper(trim(to_currency)) = getvariable('reporting_currency')
),

spine as (
    select
        c.from_currency,
        d.d::date as rate_date
    from (select distinct from_currency from rates) as c
    cross join generate_series(
        (select min(rate_date) from rates), getvariable('as_of_date'), interval 1 day
    ) as d (d)
)

select
    s.from_currency,
    s.rate_date,
    last_value(r.rate ignore nulls) over (
        partition by s.from_currency order by s.rate_date
        rows between unbounded preceding and current row
    ) as rate
from spine as s
left join rates as r on s.from_currency = r.from_currency and s.rate_date = r.rate_date;

-- 3. subscription periods: one row per item with its monthly amount and active dates
create or replace temp table subscription_periods as
select
    s.customer_id,
    i.subscription_item_id,
    greatest(i.valid_from, s.started_at, s.trial_end_at)::date as start_date,
    coalesce(least(i.valid_to, s.ended_at, s.cancel_at)::date, date '9999-12-31') as end_date,
    (
        greatest(
            coalesce(i.unit_price, p.price) * i.quantity
            * (1 - coalesce(i.discount_percent, 0) / 100) - coalesce(i.discount_amount, 0),
            0
        )
        * case p.billing_interval
            when 'day' then 365 / 12 when 'week' then 52 / 12 when 'month' then 1
            when 'quarter' then 1 / 3 when 'year' then 1 / 12
        end
        / p.billing_interval_count
        * case when p.currency = getvariable('reporting_currency') then 1 else fx.rate end
    )::decimal(38, 12) as monthly_amount
from items_latest as i
inner join subscriptions_latest as s on i.subscription_id = s.subscription_id
inner join customers_latest as c on s.customer_id = c.customer_id
inner join plans_latest as p on i.plan_id = p.plan_id
left join fx_daily as fx on p.currency = fx.from_currency and i.valid_from::date = fx.rate_date
where s.started_at is not null and p.charge_type = 'recurring';

-- 4. the date spine of months and every customer's month range
create or replace temp table months as
select
    m::date as date_month,
    least(last_day(m::date), getvariable('as_of_date')) as snapshot_date
from generate_series(
    (select date_trunc('month', min(start_date)) from subscription_periods),
    date_trunc('month', getvariable('as_of_date')),
    interval 1 month
) as g (m);

create or replace temp table customers_range as
select
    customer_id,
    date_trunc('month', min(start_date))::date as date_month_start,
    -- one month past the last active day, so that the churn month is there
    date_trunc('month', max(end_date))::date as date_month_end
from subscription_periods
where end_date > start_date
group by customer_id;

-- 5. customer x months cross join, then the active items of each customer-month
create or replace temp table customer_months as
select
    c.customer_id,
    m.date_month,
    m.snapshot_date
from customers_range as c
cross join months as m
where m.date_month >= c.date_month_start and m.date_month <= c.date_month_end;

create or replace temp table customer_revenue_by_month as
select
    cm.date_month,
    cm.customer_id,
    round(coalesce(sum(sp.monthly_amount), 0), 6) as mrr
from customer_months as cm
left join subscription_periods as sp
    on
        cm.customer_id = sp.customer_id
        and sp.start_date <= cm.snapshot_date
        and sp.end_date > cm.snapshot_date
group by cm.date_month, cm.customer_id;

-- 6. lag() and a running max classify every customer-month
create or replace table naive_baseline.customer_mrr as
with history as (
    select
        date_month,
        customer_id,
        mrr,
        coalesce(lag(mrr) over w, 0) as previous_mrr,
        coalesce(max(mrr) over (w rows between unbounded preceding and 1 preceding), 0) > 0
            as had_mrr_before
    from customer_revenue_by_month
    window w as (partition by customer_id order by date_month)
)

select
    date_month as month,
    customer_id,
    mrr,
    previous_mrr,
    case
        when previous_mrr = 0 and mrr > 0 and not had_mrr_before then 'new'
        when previous_mrr = 0 and mrr > 0 then 'reactivation'
        when previous_mrr > 0 and mrr > previous_mrr then 'expansion'
        when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then 'contraction'
        when previous_mrr > 0 and mrr = 0 then 'churn'
        when previous_mrr > 0 and mrr = previous_mrr then 'retained'
    end as movement_type,
    case
        when previous_mrr > 0 and mrr = 0 then -previous_mrr
        else mrr - previous_mrr
    end as movement_amount
from history
where mrr > 0 or previous_mrr > 0;

create or replace table naive_baseline.mrr_movements as
select
    month,
    sum(previous_mrr) as opening_mrr,
    sum(movement_amount) filter (where movement_type = 'new') as new_mrr,
    sum(movement_amount) filter (where movement_type = 'expansion') as expansion_mrr,
    sum(movement_amount) filter (where movement_type = 'contraction') as contraction_mrr,
    sum(movement_amount) filter (where movement_type = 'churn') as churned_mrr,
    sum(movement_amount) filter (where movement_type = 'reactivation') as reactivation_mrr,
    sum(mrr) as closing_mrr,
    count(*) filter (where previous_mrr > 0) as opening_customers,
    count(*) filter (where movement_type = 'churn') as churned_customers,
    count(*) filter (where mrr > 0) as closing_customers
from naive_baseline.customer_mrr
group by month
order by month;

-- 7. invoiced revenue by month, as fct_revenue does, so that the baseline also reads
--    the invoice tables (the bulk of the raw rows)
create or replace table naive_baseline.revenue_by_month as
with invoices_latest as (
    select
        trim(invoice_id) as invoice_id,
        trim(customer_id) as customer_id,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        issued_at
    from invoices
    qualify row_number() over (partition by trim(invoice_id) order by updated_at desc) = 1
        and not is_deleted
),

lines_latest as (
    select
        trim(invoice_id) as invoice_id,
        lower(trim(line_type)) as line_type,
        amount - coalesce(discount_amount, 0) as net_amount
    from invoice_lines
    qualify row_number() over (partition by trim(invoice_line_id) order by updated_at desc) = 1
),

converted as (
    select
        date_trunc('month', i.issued_at)::date as month,
        l.line_type,
        l.net_amount * case when i.currency = getvariable('reporting_currency') then 1 else fx.rate end
            as amount
    from lines_latest as l
    inner join invoices_latest as i on l.invoice_id = i.invoice_id
    inner join customers_latest as c on i.customer_id = c.customer_id
    left join fx_daily as fx on i.currency = fx.from_currency and i.issued_at::date = fx.rate_date
    where
        i.status in ('open', 'paid', 'uncollectible')
        and i.issued_at::date <= getvariable('as_of_date')
)

select
    month,
    sum(amount) filter (where line_type in ('subscription', 'proration')) as recurring_revenue,
    sum(amount) filter (where line_type = 'usage') as usage_revenue,
    sum(amount) filter (where line_type = 'one_time') as one_time_revenue,
    sum(amount) filter (where line_type = 'setup') as setup_revenue,
    sum(amount) as total_revenue
from converted
group by month
order by month;
