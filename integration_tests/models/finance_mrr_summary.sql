-- A consumer model on top of the package's marts: MRR per month.
with

mrr as (
    select * from {{ ref('mrr', 'fct_mrr') }}
),

final as (
    select
        month,
        sum(mrr) as total_mrr,
        count(distinct customer_id) as customers
    from mrr
    group by month
)

select * from final
