-- One row per customer and forward month (spec section 9.1) in which the customer's
-- committed MRR is above 0 or it churns: sections 3-6 applied unchanged to the
-- forward months' snapshot days (their last days), with the data as it stands.
-- Scheduled ends (cancel_at, ended_at, valid_to) and item versions or trials that
-- start later are already in the counting items (int_subscription_items_active
-- bounds nothing by as_of_date), so the forward book is the customer series
-- continued past the month of as_of_date.
--
-- The series goes on from the month of as_of_date: the first forward month's
-- previous MRR is the customer's MRR there (dim_customers.current_mrr, whose
-- snapshot day is as_of_date), and "had MRR before" looks at the whole history
-- (dim_customers.first_mrr_month) and the forward months before.
with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

forward_months as (
    select * from {{ ref('mrr', 'int_forward_months') }}
),

customers as (
    select * from {{ ref('mrr', 'dim_customers') }}
),

forward_bounds as (
    select
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date
    from forward_months
),

-- Only the items that count on some forward snapshot day, so the series below
-- sorts the changes of the forward book rather than of the whole history.
forward_items as (
    select items.*
    from items
    cross join forward_bounds
    where
        items.effective_start_date <= forward_bounds.last_snapshot_date
        and (
            items.effective_end_date is null
            or items.effective_end_date > forward_bounds.first_snapshot_date
        )
),

-- The forward months as a spine: the series below ends on the last forward
-- month's snapshot day.
forward_spine_bounds as (
    select
        min(month) as spine_start_month,
        max(month) as spine_end_month,
        max(snapshot_date) as spine_end_snapshot_date
    from forward_months
),

-- The customer series over the forward months, built as fct_mrr builds its own:
-- periods of constant MRR (macro mrr_series_periods_ctes) turned into the forward
-- months, so each customer's MRR on every forward snapshot day, and from the
-- second forward month on the MRR of the month before (a forward snapshot day too).
{{ mrr_series_periods_ctes('periods', 'forward_items', 'forward_spine_bounds', ['customer_id']) }},

period_months as (
    {{ mrr_series_period_months('periods', 'forward_months', 'forward_spine_bounds', ['customer_id']) }}
),

-- A month after one without MRR follows an earlier paying month when the series'
-- first paying month (over every period of the forward items) is before it.
forward_series as (
    select
        period_months.customer_id,
        forward_months.month,
        forward_months.months_ahead,
        period_months.mrr,
        period_months.first_paying_month,
        case
            when period_months.month = period_months.start_month then period_months.previous_period_mrr
            else period_months.mrr
        end as previous_mrr
    from period_months
    inner join forward_months
        on period_months.month = forward_months.month
),

paying_on_as_of_date as (
    select
        customer_id,
        current_mrr
    from customers
    where current_mrr > 0
),

-- The first forward month follows the month of as_of_date, whose snapshot day is
-- as_of_date itself: its previous MRR is the customer's MRR on as_of_date. A
-- customer paying then and nothing in the first forward month churns there.
first_month as (
    select
        false as paid_in_forward_month_before,
        coalesce(forward_series.customer_id, paying_on_as_of_date.customer_id) as customer_id,
        coalesce(forward_series.mrr, 0) as mrr,
        coalesce(paying_on_as_of_date.current_mrr, 0) as previous_mrr
    from (
        select *
        from forward_series
        where months_ahead = 1
    ) as forward_series
    full outer join paying_on_as_of_date
        on forward_series.customer_id = paying_on_as_of_date.customer_id
),

-- Later forward months: the month before is a forward month, so the series' own
-- previous MRR holds. It calls a first month with MRR `reactivation` only when the
-- customer paid in an earlier forward month (an item counting on a snapshot day
-- before the forward months and on a forward one counts on every forward month
-- between, so its history before them means it paid in the first forward month).
later_months as (
    select
        customer_id,
        months_ahead,
        mrr,
        previous_mrr,
        previous_mrr = 0 and mrr > 0 and month > first_paying_month as paid_in_forward_month_before
    from forward_series
    where months_ahead > 1
),

customer_months as (
    select
        customer_id,
        1 as months_ahead,
        mrr,
        previous_mrr,
        paid_in_forward_month_before
    from first_month
    where mrr > 0 or previous_mrr > 0
    union all
    select
        customer_id,
        months_ahead,
        mrr,
        previous_mrr,
        paid_in_forward_month_before
    from later_months
),

-- Section 6, with "had MRR above 0 in an earlier month" over the whole history.
-- Only a month that follows one without MRR reads the history, so only those few
-- rows are joined to the customers, not every customer-month of the book.
starting_months as (
    select
        customer_months.customer_id,
        customer_months.months_ahead,
        customer_months.mrr,
        customer_months.previous_mrr,
        case
            when customers.first_mrr_month is not null or customer_months.paid_in_forward_month_before
                then 'reactivation'
            else 'new'
        end as movement_type
    from customer_months
    left join customers
        on customer_months.customer_id = customers.customer_id
    where customer_months.previous_mrr = 0
),

continuing_months as (
    select
        customer_id,
        months_ahead,
        mrr,
        previous_mrr,
        case
            when mrr = 0 then 'churn'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement_type
    from customer_months
    where previous_mrr <> 0
),

with_movements as (
    select
        customer_id,
        months_ahead,
        mrr,
        previous_mrr,
        movement_type,
        mrr - previous_mrr as movement_amount
    from starting_months
    union all
    select
        customer_id,
        months_ahead,
        mrr,
        previous_mrr,
        movement_type,
        mrr - previous_mrr as movement_amount
    from continuing_months
),

final as (
    select
        forward_months.month,
        cast(with_movements.months_ahead as {{ dbt.type_int() }}) as months_ahead,
        with_movements.customer_id,
        cast(with_movements.mrr as {{ mrr_money_type() }}) as mrr,
        cast(with_movements.previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        with_movements.movement_type,
        cast(with_movements.movement_amount as {{ mrr_money_type() }}) as movement_amount
    from with_movements
    inner join forward_months
        on with_movements.months_ahead = forward_months.months_ahead
)

select * from final
