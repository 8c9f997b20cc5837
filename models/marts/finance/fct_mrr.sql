-- One row per customer per month in which the customer has MRR above 0 or churned
-- (spec sections 6 and 7), within the reporting window.
with

customer_months as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

months as (
    select * from {{ ref('int_months') }}
),

as_of as (
    select max(month) as as_of_month from months
),

neighbours as (
    select
        month,
        customer_id,
        mrr,
        lag(month) over (partition by customer_id order by month) as prior_active_month,
        lag(mrr) over (partition by customer_id order by month) as prior_active_mrr,
        lead(month) over (partition by customer_id order by month) as next_active_month,
        min(month) over (partition by customer_id) as first_active_month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month_before,
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month_after
    from customer_months
),

active_rows as (
    select
        month,
        customer_id,
        mrr,
        -- "previous" is the month just before; an older active month means a gap (0).
        case
            when prior_active_month = month_before then prior_active_mrr
            else cast(0 as {{ mrr_money_type() }})
        end as previous_mrr,
        first_active_month
    from neighbours
),

classified_active as (
    select
        month,
        customer_id,
        mrr,
        previous_mrr,
        case
            when previous_mrr = 0 and month = first_active_month then 'new'
            when previous_mrr = 0 then 'reactivation'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        mrr - previous_mrr as movement_amount
    from active_rows
),

-- The month after a customer's last active month in a run, but never past the window.
churn_rows as (
    select
        neighbours.month_after as month,
        neighbours.customer_id,
        cast(0 as {{ mrr_money_type() }}) as mrr,
        neighbours.mrr as previous_mrr,
        'churn' as movement_type,
        -neighbours.mrr as movement_amount
    from neighbours
    cross join as_of
    where
        (neighbours.next_active_month is null or neighbours.next_active_month != neighbours.month_after)
        and neighbours.month_after <= as_of.as_of_month
),

unioned as (
    select * from classified_active
    union all
    select * from churn_rows
),

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(mrr as {{ mrr_money_type() }}) as mrr,
        cast(previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(movement_type as {{ dbt.type_string() }}) as movement_type,
        cast(movement_amount as {{ mrr_money_type() }}) as movement_amount
    from unioned
)

select * from final
