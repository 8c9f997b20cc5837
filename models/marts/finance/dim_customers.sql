{{ config(grants=mrr_reader_grants()) }}
-- One row per customer that counts (not a test account, not deleted, not rejected),
-- with its attributes and MRR history in brief. No personal data (names, e-mail):
-- dashboards read this model; restricted_customer_contacts holds those.
with

customers as (
    select * from {{ ref('mrr', 'stg_billing__customers') }}
),

customer_months as (
    select * from {{ ref('mrr', 'fct_mrr') }}
    -- The months with MRR; the model also holds each run's churn month (MRR 0).
    where mrr > 0
),

months as (
    select * from {{ ref('mrr', 'int_months') }}
),

mrr_summary as (
    select
        customer_months.customer_id,
        min(customer_months.month) as first_mrr_month,
        max(customer_months.month) as last_mrr_month,
        sum(case when months.is_as_of_month then customer_months.mrr else 0 end) as current_mrr
    from customer_months
    inner join months
        on customer_months.month = months.month
    group by customer_months.customer_id
),

final as (
    select
        cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(customers.country_code as {{ dbt.type_string() }}) as country_code,
        cast(customers.segment as {{ dbt.type_string() }}) as segment,
        cast(customers.created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(mrr_summary.first_mrr_month as date) as first_mrr_month,
        cast(mrr_summary.last_mrr_month as date) as last_mrr_month,
        cast(coalesce(mrr_summary.current_mrr, 0) as {{ mrr_money_type() }}) as current_mrr,
        coalesce(mrr_summary.current_mrr, 0) > 0 as is_active
    from customers
    left join mrr_summary
        on customers.customer_id = mrr_summary.customer_id
)

select * from final
