-- One row per customer that counts, with its name and e-mail address: personal
-- data, kept out of every model a dashboard reads. Join to dim_customers on
-- customer_id where a person with access needs to know who a customer is.
with

customers as (
    select * from {{ ref('mrr', 'stg_billing__customers') }}
),

final as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(customer_name as {{ dbt.type_string() }}) as customer_name,
        cast(email as {{ dbt.type_string() }}) as email
    from customers
)

select * from final
