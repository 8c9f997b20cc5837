-- MRR and paying customers by customer segment and month: a starting point for a
-- segment breakdown on a dashboard (dbt compile renders it to target/compiled).
with

mrr as (
    select * from {{ ref('mrr', 'fct_mrr') }}
),

customers as (
    select * from {{ ref('mrr', 'dim_customers') }}
),

final as (
    select
        mrr.month,
        coalesce(customers.segment, 'unknown') as segment,
        sum(mrr.mrr) as mrr,
        sum(case when mrr.mrr > 0 then 1 else 0 end) as paying_customers,
        sum(mrr.movement_amount) as net_new_mrr
    from mrr
    inner join customers
        on mrr.customer_id = customers.customer_id
    group by mrr.month, coalesce(customers.segment, 'unknown')
)

select * from final
order by month, segment
