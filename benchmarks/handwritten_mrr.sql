-- Hand-written MRR script for the scale benchmark: the core of the project's dbt
-- build in one plain DuckDB script, written as a careful analyst would write it by
-- hand (issue 12 measures the build against it).
--
--   latest version of every record (trimmed keys, latest updated_at wins, ties are
--   identical copies) -> inclusion rules (soft deletes, test customers, and what
--   hangs from them) -> monthly value of every item (spec section 3, exact decimals,
--   FX locked at valid_from) -> active days (section 4) -> MRR per customer-month on
--   the snapshot day (section 5) -> movements (section 6) -> the monthly bridge ->
--   invoiced revenue by month with FX at the issue date (section 7).
--
-- The same rules and the same decimal types as the dbt models at the points where a
-- value is rounded, so that closing MRR and revenue per month equal fct_mrr_movements
-- and fct_revenue exactly. What it leaves out: validation and the rejection audit
-- (the benchmark data has no invalid rows), row accounting, tests, the by-plan,
-- cohort, reconciliation and closing marts. Cleaning (trim, case) is in.
--
-- Results land in schema `handwritten`: customer_mrr (one row per customer-month
-- with MRR or a churn, like fct_mrr), mrr_movements (like fct_mrr_movements) and
-- revenue_by_month (like fct_revenue). The raw schema comes from the search path;
-- the vars are DuckDB variables a caller may SET VARIABLE before running it.

set search_path = 'raw_scale';
set variable as_of_date = coalesce(getvariable('as_of_date'), date '2026-10-31');
set variable reporting_currency = coalesce(getvariable('reporting_currency'), 'USD');
set variable include_trials = coalesce(getvariable('include_trials'), false);
set variable apply_discounts = coalesce(getvariable('apply_discounts'), true);
set variable reconciliation_tolerance = coalesce(getvariable('reconciliation_tolerance'), 1)::decimal(38, 12);

create schema if not exists handwritten;

-- a / n for a whole n > 0, exact and rounded half away from zero at 12 places:
-- DuckDB would divide decimals as doubles. The whole part and the remainder are
-- divided as integers (the remainder in units of 10^-12).
create or replace temp macro divide_exact(a, n) as
    sign(a) * (
        (trunc(abs(a))::hugeint // n)::decimal(38, 0)
        + (((trunc(abs(a))::hugeint % n) * 1000000000000 + ((abs(a) - trunc(abs(a))) * 1000000000000)::hugeint) * 2 + n)
        // (2 * n) * 0.000000000001
    )::decimal(38, 12);

-- 1. Versions. Of each record (trimmed key) the latest updated_at wins; rows equal in
--    key and updated_at are identical copies. Each winner carries how many copies and
--    older versions it set aside (for the row accounting) and why it is excluded, if
--    it is: soft deleted, a parent soft deleted, or a test customer's. A null flag
--    means false.
create or replace temp macro inherited(parent_reason) as
    case when parent_reason in ('soft deleted', 'parent soft deleted') then 'parent soft deleted' else parent_reason end;

create or replace temp table customer_records as
select
    trim(customer_id) as customer_id,
    nullif(upper(trim(country_code)), '') as country_code,
    nullif(lower(trim(segment)), '') as segment,
    created_at,
    case
        when coalesce(is_deleted, false) then 'soft deleted'
        when coalesce(is_test, false) then 'test customer'
    end as exclusion_reason,
    count(*) over latest_first - 1 as duplicate_copies,
    count(*) over (partition by trim(customer_id)) - count(*) over latest_first as superseded_versions
from customers
window latest_first as (partition by trim(customer_id) order by updated_at desc nulls last)
qualify row_number() over latest_first = 1;

create or replace temp table plan_records as
select
    trim(plan_id) as plan_id,
    trim(plan_name) as plan_name,
    trim(product_name) as product_name,
    lower(trim(charge_type)) as charge_type,
    lower(trim(billing_interval)) as billing_interval,
    coalesce(billing_interval_count, 1) as billing_interval_count,
    price,
    upper(trim(currency)) as currency,
    case when coalesce(is_deleted, false) then 'soft deleted' end as exclusion_reason,
    count(*) over latest_first - 1 as duplicate_copies,
    count(*) over (partition by trim(plan_id)) - count(*) over latest_first as superseded_versions
from plans
window latest_first as (partition by trim(plan_id) order by updated_at desc nulls last)
qualify row_number() over latest_first = 1;

create or replace temp table subscription_records as
with latest as (
    select
        trim(subscription_id) as subscription_id,
        trim(customer_id) as customer_id,
        started_at,
        trial_end_at,
        cancel_at,
        ended_at,
        coalesce(is_deleted, false) as is_deleted,
        count(*) over latest_first - 1 as duplicate_copies,
        count(*) over (partition by trim(subscription_id)) - count(*) over latest_first as superseded_versions
    from subscriptions
    window latest_first as (partition by trim(subscription_id) order by updated_at desc nulls last)
    qualify row_number() over latest_first = 1
)

select
    latest.* exclude (is_deleted),
    case when latest.is_deleted then 'soft deleted' else inherited(customer_records.exclusion_reason) end
        as exclusion_reason
from latest
left join customer_records using (customer_id);

create or replace temp table item_records as
with latest as (
    select
        trim(subscription_item_id) as subscription_item_id,
        trim(subscription_id) as subscription_id,
        trim(plan_id) as plan_id,
        coalesce(quantity, 1) as quantity,
        unit_price,
        discount_percent,
        discount_amount,
        valid_from,
        valid_to,
        coalesce(is_deleted, false) as is_deleted,
        count(*) over latest_first - 1 as duplicate_copies,
        count(*) over (partition by trim(subscription_item_id)) - count(*) over latest_first as superseded_versions
    from subscription_items
    window latest_first as (partition by trim(subscription_item_id) order by updated_at desc nulls last)
    qualify row_number() over latest_first = 1
)

select
    latest.* exclude (is_deleted),
    -- a deleted plan takes its items too
    case
        when latest.is_deleted then 'soft deleted'
        when plan_records.exclusion_reason is not null then 'parent soft deleted'
        else inherited(subscription_records.exclusion_reason)
    end as exclusion_reason
from latest
left join subscription_records using (subscription_id)
left join plan_records using (plan_id);

create or replace temp table invoice_records as
with latest as (
    select
        trim(invoice_id) as invoice_id,
        trim(customer_id) as customer_id,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        issued_at,
        due_at,
        paid_at,
        coalesce(is_deleted, false) as is_deleted,
        count(*) over latest_first - 1 as duplicate_copies,
        count(*) over (partition by trim(invoice_id)) - count(*) over latest_first as superseded_versions
    from invoices
    window latest_first as (partition by trim(invoice_id) order by updated_at desc nulls last)
    qualify row_number() over latest_first = 1
)

select
    latest.* exclude (is_deleted),
    case when latest.is_deleted then 'soft deleted' else inherited(customer_records.exclusion_reason) end
        as exclusion_reason
from latest
left join customer_records using (customer_id);

create or replace temp table line_records as
with latest as (
    select
        trim(invoice_line_id) as invoice_line_id,
        trim(invoice_id) as invoice_id,
        lower(trim(line_type)) as line_type,
        period_start,
        period_end,
        amount - coalesce(discount_amount, 0) as net_amount,
        count(*) over latest_first - 1 as duplicate_copies,
        count(*) over (partition by trim(invoice_line_id)) - count(*) over latest_first as superseded_versions
    from invoice_lines
    window latest_first as (partition by trim(invoice_line_id) order by updated_at desc nulls last)
    qualify row_number() over latest_first = 1
)

select
    latest.*,
    inherited(invoice_records.exclusion_reason) as exclusion_reason
from latest
left join invoice_records using (invoice_id);

-- 2. FX: one record per day and currency pair; identical copies count once, and a
--    day with two different rates for a pair (or a rate not above 0) has no usable
--    rate. The direct rates to the reporting currency are what converts.
create or replace temp table fx_records as
select
    rate_date,
    upper(trim(from_currency)) as from_currency,
    upper(trim(to_currency)) as to_currency,
    min(rate)::decimal(38, 12) as rate,
    count(*) as raw_rows,
    count(distinct rate) as distinct_rates
from fx_rates
group by all;

create or replace temp table fx_to_reporting as
select
    from_currency as currency,
    rate_date,
    rate
from fx_records
where to_currency = getvariable('reporting_currency') and distinct_rates = 1 and rate > 0;

-- 3. Items: kept ones of started subscriptions on recurring plans (usage plans are
--    never MRR); the monthly value in the plan's currency (spec section 3), then in
--    the reporting currency at the latest rate on or before the day of valid_from.
create or replace temp table items_valued as
with priced as (
    select
        subscriptions.customer_id,
        items.subscription_id,
        items.plan_id,
        subscriptions.started_at,
        subscriptions.trial_end_at,
        subscriptions.ended_at,
        subscriptions.cancel_at,
        items.valid_from,
        items.valid_to,
        plans.currency,
        -- Percent first, then the fixed amount, floored at zero. The raw decimals have
        -- 4 places, so this product is exact (at most 10 places).
        greatest(
            coalesce(items.unit_price, plans.price) * items.quantity
            * (100 - case when getvariable('apply_discounts') then coalesce(items.discount_percent, 0) else 0 end)
            * 0.01
            - case when getvariable('apply_discounts') then coalesce(items.discount_amount, 0) else 0 end,
            0
        ) as period_amount,
        -- factor (spec section 3) = numerator / denominator, over the interval count
        case plans.billing_interval when 'day' then 365 when 'week' then 52 else 1 end as factor_numerator,
        case plans.billing_interval
            when 'day' then 12 when 'week' then 12 when 'month' then 1 when 'quarter' then 3 when 'year' then 12
        end * plans.billing_interval_count as denominator
    from item_records as items
    inner join subscription_records as subscriptions using (subscription_id)
    inner join plan_records as plans using (plan_id)
    where
        items.exclusion_reason is null
        and plans.charge_type = 'recurring'
        and subscriptions.started_at is not null
),

monthly as (
    select
        *,
        -- period_amount x factor, exact to 12 places and rounded half up: DuckDB would
        -- divide decimals as doubles, so the division is done on whole numbers (the
        -- amount in units of 10^-12).
        cast(
            (cast(period_amount::decimal(38, 12) * factor_numerator * 1000000000000 as hugeint) * 2 + denominator)
            // (2 * denominator) as decimal(38, 0)
        ) * 0.000000000001 as monthly_amount
    from priced
)

select
    monthly.customer_id,
    monthly.plan_id,
    -- a trial still running on as_of_date (the forward marts report its part)
    monthly.trial_end_at::date > getvariable('as_of_date') as is_trial_after_as_of,
    -- greatest/least ignore nulls in DuckDB, as the spec wants
    greatest(
        monthly.valid_from,
        monthly.started_at,
        case when not getvariable('include_trials') then monthly.trial_end_at end
    )::date as start_date,
    least(monthly.valid_to, monthly.ended_at, monthly.cancel_at)::date as end_date,
    cast(
        monthly.monthly_amount::decimal(38, 12)
        * case when monthly.currency = getvariable('reporting_currency') then 1 else fx.rate end
        as decimal(38, 12)
    ) as monthly_amount_reporting
from monthly
asof left join fx_to_reporting as fx
    on monthly.currency = fx.currency and monthly.valid_from::date >= fx.rate_date;

-- 4. Invoices of kept customers converted at the latest rate on or before the issue
--    day; revenue lines: the latest line versions of the invoices in an included
--    status issued by as_of_date, net of discount, converted.
create or replace temp table invoices_converted as
select
    invoices.invoice_id,
    invoices.customer_id,
    invoices.status,
    invoices.issued_at::date as issued_date,
    invoices.due_at::date as due_date,
    invoices.paid_at::date as paid_date,
    date_trunc('month', invoices.issued_at)::date as month,
    case
        when invoices.currency = getvariable('reporting_currency') then 1::decimal(38, 12)
        else fx.rate
    end as rate
from invoice_records as invoices
asof left join fx_to_reporting as fx
    on invoices.currency = fx.currency and invoices.issued_at::date >= fx.rate_date
where invoices.exclusion_reason is null;

create or replace temp table revenue_lines as
select
    invoices_converted.month,
    invoices_converted.customer_id,
    lines.line_type,
    lines.period_start,
    lines.period_end,
    -- 4 places x 8 places: exact in 12
    cast(lines.net_amount * invoices_converted.rate as decimal(38, 12)) as net_amount_reporting
from line_records as lines
inner join invoices_converted using (invoice_id)
where
    invoices_converted.status in ('open', 'paid', 'uncollectible')
    and invoices_converted.issued_date <= getvariable('as_of_date');

create or replace temp table customers_kept as
select * exclude (exclusion_reason, duplicate_copies, superseded_versions)
from customer_records
where exclusion_reason is null;

create or replace temp table plans_kept as
select plan_id, plan_name, product_name
from plan_records
where exclusion_reason is null;

-- 5. The month spine: first month with any activity through the month of as_of_date,
--    each with its snapshot day (the last day, or as_of_date in its own month).
create or replace temp table months as
with bounds as (
    select
        least(
            (select min(start_date) from items_valued where end_date is null or start_date < end_date),
            (select min(month) from revenue_lines)
        ) as first_day,
        getvariable('as_of_date') as as_of_date
)

select
    m::date as month,
    least(last_day(m::date), bounds.as_of_date) as snapshot_date
from bounds,
    generate_series(date_trunc('month', bounds.first_day), date_trunc('month', bounds.as_of_date), interval 1 month)
        as g (m);

-- 6. MRR per customer-plan-month and per customer-month: the items active on the
--    snapshot day (start day inclusive, end day exclusive), summed exactly per plan
--    in one pass; each level then rounded to 6 places, above 0 only.
create or replace temp table plan_month_amounts as
select
    months.month,
    items_valued.customer_id,
    items_valued.plan_id,
    sum(items_valued.monthly_amount_reporting) as amount
from items_valued
inner join months
    on
        items_valued.start_date <= months.snapshot_date
        and coalesce(items_valued.end_date, date '9999-12-31') > months.snapshot_date
group by all;

create or replace temp table customer_months as
select
    month,
    customer_id,
    round(sum(amount), 6)::decimal(28, 6) as mrr
from plan_month_amounts
group by all
having mrr > 0;

create or replace temp table plan_months as
select
    month,
    customer_id,
    plan_id,
    round(amount, 6)::decimal(28, 6) as mrr
from plan_month_amounts
where round(amount, 6) > 0;

-- 7. fct_mrr: movements per customer-month, plus a churn row in the month after
--    each run of active months (never past the month of as_of_date).
create or replace table handwritten.fct_mrr as
with neighbours as (
    select
        month,
        customer_id,
        mrr,
        lag(month) over w as prior_month,
        lag(mrr) over w as prior_mrr,
        lead(month) over w as next_month,
        (month - interval 1 month)::date as month_before,
        (month + interval 1 month)::date as month_after
    from customer_months
    window w as (partition by customer_id order by month)
),

active as (
    select
        month,
        customer_id,
        mrr,
        prior_month,
        case when prior_month = month_before then prior_mrr else 0 end::decimal(28, 6) as previous_mrr
    from neighbours
)

select
    month,
    customer_id,
    mrr,
    previous_mrr,
    case
        when previous_mrr = 0 and prior_month is null then 'new'
        when previous_mrr = 0 then 'reactivation'
        when mrr > previous_mrr then 'expansion'
        when mrr < previous_mrr then 'contraction'
        else 'retained'
    end as movement_type,
    (mrr - previous_mrr)::decimal(28, 6) as movement_amount
from active

union all

select
    month_after,
    customer_id,
    0::decimal(28, 6),
    mrr,
    'churn',
    -mrr
from neighbours
where
    (next_month is null or next_month != month_after)
    and month_after <= date_trunc('month', getvariable('as_of_date'))::date;

-- 7b. fct_mrr_by_plan: the same series on each customer and plan alone, with the
--    plan's names and the customer's segment and country.
create or replace table handwritten.fct_mrr_by_plan as
with neighbours as (
    select
        month,
        customer_id,
        plan_id,
        mrr,
        lag(month) over w as prior_month,
        lag(mrr) over w as prior_mrr,
        lead(month) over w as next_month,
        (month - interval 1 month)::date as month_before,
        (month + interval 1 month)::date as month_after
    from plan_months
    window w as (partition by customer_id, plan_id order by month)
),

series as (
    select
        month,
        customer_id,
        plan_id,
        mrr,
        case when prior_month = month_before then prior_mrr else 0 end::decimal(28, 6) as previous_mrr,
        prior_month is null as is_first
    from neighbours

    union all

    select
        month_after,
        customer_id,
        plan_id,
        0::decimal(28, 6),
        mrr,
        false
    from neighbours
    where
        (next_month is null or next_month != month_after)
        and month_after <= date_trunc('month', getvariable('as_of_date'))::date
)

select
    series.month,
    series.customer_id,
    series.plan_id,
    plans_kept.plan_name,
    plans_kept.product_name,
    customers_kept.segment,
    customers_kept.country_code,
    series.mrr,
    series.previous_mrr,
    case
        when series.mrr = 0 then 'churn'
        when series.previous_mrr = 0 and series.is_first then 'new'
        when series.previous_mrr = 0 then 'reactivation'
        when series.mrr > series.previous_mrr then 'expansion'
        when series.mrr < series.previous_mrr then 'contraction'
        else 'retained'
    end as movement_type,
    (series.mrr - series.previous_mrr)::decimal(28, 6) as movement_amount
from series
inner join plans_kept using (plan_id)
inner join customers_kept using (customer_id);

-- 8. fct_mrr_movements: the monthly bridge, from the first month with MRR through the
--    month of as_of_date.
create or replace table handwritten.fct_mrr_movements as
with monthly as (
    select
        month,
        sum(previous_mrr) as opening_mrr,
        sum(movement_amount) filter (where movement_type = 'new') as new_mrr,
        sum(movement_amount) filter (where movement_type = 'expansion') as expansion_mrr,
        sum(movement_amount) filter (where movement_type = 'contraction') as contraction_mrr,
        sum(movement_amount) filter (where movement_type = 'churn') as churned_mrr,
        sum(movement_amount) filter (where movement_type = 'reactivation') as reactivation_mrr,
        sum(movement_amount) as net_new_mrr,
        sum(mrr) as closing_mrr,
        count(*) filter (where previous_mrr > 0) as opening_customers,
        count(*) filter (where movement_type = 'new') as new_customers,
        count(*) filter (where movement_type = 'expansion') as expansion_customers,
        count(*) filter (where movement_type = 'contraction') as contraction_customers,
        count(*) filter (where movement_type = 'churn') as churned_customers,
        count(*) filter (where movement_type = 'reactivation') as reactivated_customers,
        count(*) filter (where movement_type = 'retained') as retained_customers,
        count(*) filter (where mrr > 0) as closing_customers
    from handwritten.fct_mrr
    group by month
)

select
    months.month,
    coalesce(monthly.opening_mrr, 0)::decimal(28, 6) as opening_mrr,
    coalesce(monthly.new_mrr, 0)::decimal(28, 6) as new_mrr,
    coalesce(monthly.expansion_mrr, 0)::decimal(28, 6) as expansion_mrr,
    coalesce(monthly.contraction_mrr, 0)::decimal(28, 6) as contraction_mrr,
    coalesce(monthly.churned_mrr, 0)::decimal(28, 6) as churned_mrr,
    coalesce(monthly.reactivation_mrr, 0)::decimal(28, 6) as reactivation_mrr,
    coalesce(monthly.net_new_mrr, 0)::decimal(28, 6) as net_new_mrr,
    coalesce(monthly.closing_mrr, 0)::decimal(28, 6) as closing_mrr,
    coalesce(monthly.opening_customers, 0)::integer as opening_customers,
    coalesce(monthly.new_customers, 0)::integer as new_customers,
    coalesce(monthly.expansion_customers, 0)::integer as expansion_customers,
    coalesce(monthly.contraction_customers, 0)::integer as contraction_customers,
    coalesce(monthly.churned_customers, 0)::integer as churned_customers,
    coalesce(monthly.reactivated_customers, 0)::integer as reactivated_customers,
    coalesce(monthly.retained_customers, 0)::integer as retained_customers,
    coalesce(monthly.closing_customers, 0)::integer as closing_customers,
    -- average revenue per account, null without paying customers
    divide_exact(monthly.closing_mrr, nullif(monthly.closing_customers, 0))::decimal(28, 6) as arpa
from months
left join monthly using (month)
where months.month >= (select min(month) from customer_months)
order by months.month;

-- 9. fct_revenue: invoiced revenue by month, from the first month with MRR or
--    revenue; each category rounded to 6 places, the total the sum of the rounded categories.
create or replace table handwritten.fct_revenue as
with monthly as (
    select
        month,
        sum(net_amount_reporting) filter (where line_type in ('subscription', 'proration')) as recurring_revenue,
        sum(net_amount_reporting) filter (where line_type = 'usage') as usage_revenue,
        sum(net_amount_reporting) filter (where line_type = 'one_time') as one_time_revenue,
        sum(net_amount_reporting) filter (where line_type = 'setup') as setup_revenue,
        sum(net_amount_reporting) as total_revenue
    from revenue_lines
    group by month
)

select
    months.month,
    coalesce(monthly.recurring_revenue, 0)::decimal(28, 6) as recurring_revenue,
    coalesce(monthly.usage_revenue, 0)::decimal(28, 6) as usage_revenue,
    coalesce(monthly.one_time_revenue, 0)::decimal(28, 6) as one_time_revenue,
    coalesce(monthly.setup_revenue, 0)::decimal(28, 6) as setup_revenue,
    coalesce(monthly.total_revenue, 0)::decimal(28, 6) as total_revenue
from months
left join monthly using (month)
where
    months.month >= least(
        (select min(month) from customer_months),
        (select min(month) from revenue_lines)
    )
order by months.month;

-- 10. fct_churn: the month's ratios from the bridge; null when the denominator is 0.
--    The ratios are divided in floating point and then fixed to 10 places, as the
--    marts do (a ratio is not money).
create or replace table handwritten.fct_churn as
select
    month,
    (churned_customers / nullif(opening_customers, 0))::decimal(28, 10) as logo_churn_rate,
    (-(churned_mrr + contraction_mrr)::double / nullif(opening_mrr, 0))::decimal(28, 10) as gross_mrr_churn_rate,
    (-(churned_mrr + contraction_mrr + expansion_mrr)::double / nullif(opening_mrr, 0))::decimal(28, 10)
        as net_mrr_churn_rate,
    ((opening_mrr + expansion_mrr + contraction_mrr + churned_mrr)::double / nullif(opening_mrr, 0))::decimal(28, 10)
        as net_revenue_retention,
    ((opening_mrr + contraction_mrr + churned_mrr)::double / nullif(opening_mrr, 0))::decimal(28, 10)
        as gross_revenue_retention,
    ((new_mrr + expansion_mrr + reactivation_mrr)::double / nullif(-(churned_mrr + contraction_mrr), 0))::decimal(28, 10)
        as quick_ratio,
    arpa
from handwritten.fct_mrr_movements;

-- 11. fct_cohort_retention: a customer's cohort is its first month with MRR; one row
--    per cohort and month through the month of as_of_date.
create or replace table handwritten.fct_cohort_retention as
with members as (
    select
        customer_id,
        month as cohort_month,
        mrr as starting_mrr
    from handwritten.fct_mrr
    where movement_type = 'new'
),

member_months as (
    select
        members.cohort_month,
        customer_months.month,
        count(*) as active_customers,
        sum(customer_months.mrr) as mrr,
        sum(least(customer_months.mrr, members.starting_mrr)) as capped_mrr
    from customer_months
    inner join members using (customer_id)
    group by all
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_customers,
        sum(starting_mrr) as cohort_starting_mrr
    from members
    group by all
)

select
    cohorts.cohort_month,
    months.month,
    date_diff('month', cohorts.cohort_month, months.month)::integer as months_since_start,
    cohorts.cohort_customers::integer as cohort_customers,
    cohorts.cohort_starting_mrr::decimal(28, 6) as cohort_starting_mrr,
    coalesce(member_months.active_customers, 0)::integer as active_customers,
    coalesce(member_months.mrr, 0)::decimal(28, 6) as mrr,
    (coalesce(member_months.active_customers, 0) / cohorts.cohort_customers)::decimal(28, 10) as logo_retention,
    (coalesce(member_months.mrr, 0)::double / nullif(cohorts.cohort_starting_mrr, 0))::decimal(28, 10)
        as net_mrr_retention,
    (coalesce(member_months.capped_mrr, 0)::double / nullif(cohorts.cohort_starting_mrr, 0))::decimal(28, 10)
        as gross_mrr_retention
from cohorts
inner join months on cohorts.cohort_month <= months.month
left join member_months using (cohort_month, month);

-- 12. dim_customers: every kept customer, its first and last month with MRR and its
--    MRR in the month of as_of_date.
create or replace table handwritten.dim_customers as
with summary as (
    select
        customer_id,
        min(month) as first_mrr_month,
        max(month) as last_mrr_month,
        coalesce(sum(mrr) filter (where month = date_trunc('month', getvariable('as_of_date'))), 0) as current_mrr
    from customer_months
    group by all
)

select
    customers_kept.customer_id,
    customers_kept.country_code,
    customers_kept.segment,
    customers_kept.created_at,
    summary.first_mrr_month,
    summary.last_mrr_month,
    coalesce(summary.current_mrr, 0)::decimal(28, 6) as current_mrr,
    coalesce(summary.current_mrr, 0) > 0 as is_active
from customers_kept
left join summary using (customer_id);

-- 13. fct_mrr_reconciliation: contracted MRR next to invoiced MRR per customer and
--    month of the reporting window. A subscription line's net amount spreads over
--    its service period: whole months for a period of about a month or more
--    (round(days x 12 / 365)), else amount x 365 / (days x 12); the lines covering
--    a month's snapshot day are summed and rounded to 6 places.
create or replace table handwritten.fct_mrr_reconciliation as
with service_lines as (
    select
        customer_id,
        period_start::date as service_start_date,
        period_end::date as service_end_date,
        net_amount_reporting,
        date_diff('day', period_start::date, period_end::date) as service_days
    from revenue_lines
    where line_type = 'subscription' and period_start::date < period_end::date
),

line_amounts as (
    select
        customer_id,
        service_start_date,
        service_end_date,
        case
            when (service_days * 24 + 365) // 730 >= 1
                then divide_exact(net_amount_reporting, (service_days * 24 + 365) // 730)
            else divide_exact(net_amount_reporting * 365, service_days * 12)
        end as monthly_amount
    from service_lines
),

invoiced as (
    select
        months.month,
        line_amounts.customer_id,
        round(sum(line_amounts.monthly_amount), 6)::decimal(28, 6) as invoiced_mrr,
        count(*) as invoice_lines
    from line_amounts
    inner join months
        on
            line_amounts.service_start_date <= months.snapshot_date
            and line_amounts.service_end_date > months.snapshot_date
    group by all
),

compared as (
    select
        month,
        customer_id,
        coalesce(customer_months.mrr, 0) as contracted_mrr,
        coalesce(invoiced.invoiced_mrr, 0) as invoiced_mrr,
        coalesce(invoiced.invoice_lines, 0) as invoice_lines
    from customer_months
    full outer join invoiced using (month, customer_id)
)

select
    month,
    customer_id,
    contracted_mrr::decimal(28, 6) as contracted_mrr,
    invoiced_mrr::decimal(28, 6) as invoiced_mrr,
    (invoiced_mrr - contracted_mrr)::decimal(28, 6) as mrr_difference,
    invoice_lines::integer as invoice_lines,
    abs(invoiced_mrr - contracted_mrr) > getvariable('reconciliation_tolerance') as is_beyond_tolerance
from compared
where month >= (select min(month) from customer_months);

-- 14. audit_raw_row_accounting: every raw row, per table, counted once as the
--    winning version (kept or why excluded), an identical copy, an older version, or
--    a rejected rate (a second rate for a day and pair).
create or replace table handwritten.audit_raw_row_accounting as
with records as (
    select 'customers' as source_table, exclusion_reason, duplicate_copies, superseded_versions, 0 as conflicting_rows
    from customer_records
    union all
    select 'plans', exclusion_reason, duplicate_copies, superseded_versions, 0 from plan_records
    union all
    select 'subscriptions', exclusion_reason, duplicate_copies, superseded_versions, 0 from subscription_records
    union all
    select 'subscription_items', exclusion_reason, duplicate_copies, superseded_versions, 0 from item_records
    union all
    select 'invoices', exclusion_reason, duplicate_copies, superseded_versions, 0 from invoice_records
    union all
    select 'invoice_lines', exclusion_reason, duplicate_copies, superseded_versions, 0 from line_records
    union all
    select
        'fx_rates',
        case when distinct_rates > 1 or rate <= 0 then 'rejected' end,
        greatest(raw_rows - greatest(distinct_rates, 1), 0),
        0,
        greatest(distinct_rates - 1, 0)
    from fx_records
),

by_disposition as (
    select
        source_table,
        coalesce(exclusion_reason, 'kept') as disposition,
        count(*) as winning_rows,
        sum(duplicate_copies) as duplicate_copies,
        sum(superseded_versions) as superseded_versions,
        sum(conflicting_rows) as conflicting_rows
    from records
    group by all
)

select
    by_disposition.source_table,
    counted.disposition,
    sum(counted.row_count)::bigint as row_count
from by_disposition
cross join lateral (
    values
        (by_disposition.disposition, by_disposition.winning_rows),
        ('duplicate copy', by_disposition.duplicate_copies),
        ('superseded version', by_disposition.superseded_versions),
        ('rejected', by_disposition.conflicting_rows)
) as counted (disposition, row_count)
group by all;
