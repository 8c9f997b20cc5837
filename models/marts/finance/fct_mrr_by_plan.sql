-- One row per customer, plan and month in which the customer's MRR on that plan is
-- above 0 or churned from it (spec section 8). Each (customer, plan) series moves on
-- its own, so a plan change is churn on the old plan and new or reactivation on the
-- new one, while fct_mrr shows the customer's single expansion or contraction.
with

plan_months as (
    select * from {{ ref('int_customer_plan_mrr_monthly') }}
),

months as (
    select * from {{ ref('int_months') }}
),

plans as (
    select * from {{ ref('stg_billing__plans') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

as_of as (
    select max(month) as as_of_month from months
),

neighbours as (
    select
        month,
        customer_id,
        plan_id,
        mrr,
        lag(month) over (partition by customer_id, plan_id order by month) as prior_active_month,
        lag(mrr) over (partition by customer_id, plan_id order by month) as prior_active_mrr,
        lead(month) over (partition by customer_id, plan_id order by month) as next_active_month,
        min(month) over (partition by customer_id, plan_id) as first_active_month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month_before,
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month_after
    from plan_months
),

active_rows as (
    select
        month,
        customer_id,
        plan_id,
        mrr,
        -- "previous" is the month just before on this plan; a gap means 0.
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
        plan_id,
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

-- The month after the last month on the plan in a run, never past the window.
churn_rows as (
    select
        neighbours.month_after as month,
        neighbours.customer_id,
        neighbours.plan_id,
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
        cast(unioned.month as date) as month,
        cast(unioned.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(unioned.plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(plans.plan_name as {{ dbt.type_string() }}) as plan_name,
        cast(plans.product_name as {{ dbt.type_string() }}) as product_name,
        cast(customers.segment as {{ dbt.type_string() }}) as segment,
        cast(customers.country_code as {{ dbt.type_string() }}) as country_code,
        cast(unioned.mrr as {{ mrr_money_type() }}) as mrr,
        cast(unioned.previous_mrr as {{ mrr_money_type() }}) as previous_mrr,
        cast(unioned.movement_type as {{ dbt.type_string() }}) as movement_type,
        cast(unioned.movement_amount as {{ mrr_money_type() }}) as movement_amount
    from unioned
    left join plans
        on unioned.plan_id = plans.plan_id
    left join customers
        on unioned.customer_id = customers.customer_id
)

select * from final
