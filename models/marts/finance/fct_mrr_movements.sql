{{ config(grants=mrr_reader_grants()) }}
-- One row per month of the reporting window: the MRR bridge from opening to
-- closing MRR, in amounts (losses negative) and in customers.
with

mrr as (
    select * from {{ ref('mrr', 'fct_mrr') }}
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

customer_months as (
    select * from {{ ref('mrr', 'fct_mrr') }}
    -- The months with MRR; the model also holds each run's churn month (MRR 0).
    where mrr > 0
),

-- The window opens with the first month in which any customer has MRR.
reporting_months as (
    select months.month
    from months
    where months.month >= (select min(customer_months.month) from customer_months)
),

monthly as (
    select
        month,
        sum(previous_mrr) as opening_mrr,
        sum(case when movement_type = 'new' then movement_amount else 0 end) as new_mrr,
        sum(case when movement_type = 'expansion' then movement_amount else 0 end) as expansion_mrr,
        sum(case when movement_type = 'contraction' then movement_amount else 0 end) as contraction_mrr,
        sum(case when movement_type = 'churn' then movement_amount else 0 end) as churned_mrr,
        sum(case when movement_type = 'reactivation' then movement_amount else 0 end) as reactivation_mrr,
        sum(movement_amount) as net_new_mrr,
        sum(mrr) as closing_mrr,
        sum(case when previous_mrr > 0 then 1 else 0 end) as opening_customers,
        sum(case when movement_type = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement_type = 'expansion' then 1 else 0 end) as expansion_customers,
        sum(case when movement_type = 'contraction' then 1 else 0 end) as contraction_customers,
        sum(case when movement_type = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when movement_type = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement_type = 'retained' then 1 else 0 end) as retained_customers,
        sum(case when mrr > 0 then 1 else 0 end) as closing_customers
    from mrr
    group by month
),

final as (
    select
        reporting_months.month,
        cast(coalesce(monthly.opening_mrr, 0) as {{ mrr_money_type() }}) as opening_mrr,
        cast(coalesce(monthly.new_mrr, 0) as {{ mrr_money_type() }}) as new_mrr,
        cast(coalesce(monthly.expansion_mrr, 0) as {{ mrr_money_type() }}) as expansion_mrr,
        cast(coalesce(monthly.contraction_mrr, 0) as {{ mrr_money_type() }}) as contraction_mrr,
        cast(coalesce(monthly.churned_mrr, 0) as {{ mrr_money_type() }}) as churned_mrr,
        cast(coalesce(monthly.reactivation_mrr, 0) as {{ mrr_money_type() }}) as reactivation_mrr,
        cast(coalesce(monthly.net_new_mrr, 0) as {{ mrr_money_type() }}) as net_new_mrr,
        cast(coalesce(monthly.closing_mrr, 0) as {{ mrr_money_type() }}) as closing_mrr,
        cast(coalesce(monthly.opening_customers, 0) as {{ dbt.type_int() }}) as opening_customers,
        cast(coalesce(monthly.new_customers, 0) as {{ dbt.type_int() }}) as new_customers,
        cast(coalesce(monthly.expansion_customers, 0) as {{ dbt.type_int() }}) as expansion_customers,
        cast(coalesce(monthly.contraction_customers, 0) as {{ dbt.type_int() }}) as contraction_customers,
        cast(coalesce(monthly.churned_customers, 0) as {{ dbt.type_int() }}) as churned_customers,
        cast(coalesce(monthly.reactivated_customers, 0) as {{ dbt.type_int() }}) as reactivated_customers,
        cast(coalesce(monthly.retained_customers, 0) as {{ dbt.type_int() }}) as retained_customers,
        cast(coalesce(monthly.closing_customers, 0) as {{ dbt.type_int() }}) as closing_customers,
        -- Average revenue per account: closing MRR per paying customer; null when none.
        cast(
            case
                when monthly.closing_customers > 0
                    then {{ mrr_divide('monthly.closing_mrr', 'monthly.closing_customers') }}
            end
            as {{ mrr_money_type() }}
        ) as arpa
    from reporting_months
    left join monthly
        on reporting_months.month = monthly.month
)

select * from final
