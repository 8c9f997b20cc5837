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
    select * from {{ ref('int_subscription_items_active') }}
),

forward_months as (
    select * from {{ ref('int_forward_months') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
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

-- The customer series over the forward months (macro mrr_monthly_series_ctes, as
-- fct_mrr): each customer's MRR on every forward snapshot day, and from the second
-- forward month on the MRR of the month before (a forward snapshot day too).
{{ mrr_monthly_series_ctes('forward_items', 'forward_months', ['customer_id']) }},

forward_series as (
    select
        series.customer_id,
        forward_months.month,
        forward_months.months_ahead,
        series.mrr,
        series.previous_mrr,
        series.movement_type as forward_movement_type
    from series
    inner join forward_months
        on series.month = forward_months.month
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
        forward_movement_type = 'reactivation' as paid_in_forward_month_before
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
with_movements as (
    select
        customer_months.customer_id,
        customer_months.months_ahead,
        customer_months.mrr,
        customer_months.previous_mrr,
        case
            when
                customer_months.previous_mrr = 0
                and (customers.first_mrr_month is not null or customer_months.paid_in_forward_month_before)
                then 'reactivation'
            when customer_months.previous_mrr = 0 then 'new'
            when customer_months.mrr = 0 then 'churn'
            when customer_months.mrr > customer_months.previous_mrr then 'expansion'
            when customer_months.mrr < customer_months.previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        customer_months.mrr - customer_months.previous_mrr as movement_amount
    from customer_months
    left join customers
        on customer_months.customer_id = customers.customer_id
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
