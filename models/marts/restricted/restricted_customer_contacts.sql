{{ config(grants=mrr_restricted_grants()) }}
-- One row per customer that counts, with its name and e-mail address: personal
-- data, kept out of every model a dashboard reads and out of the base and staging
-- tables beside them. So this model reads the names from the raw table itself,
-- each customer's latest version as base_billing__customers picks it (the latest
-- updated_at wins), and keeps the customers that stg_billing__customers keeps.
-- Join to dim_customers on customer_id where a person with access needs to know
-- who a customer is.
with

raw_customers as (
    select * from {{ mrr_billing_source('customers') }}
),

customers as (
    select * from {{ ref('mrr', 'stg_billing__customers') }}
),

cleaned as (
    select
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as record_id,
        trim(cast(customer_name as {{ dbt.type_string() }})) as customer_name,
        nullif(trim(cast(email as {{ dbt.type_string() }})), '') as email,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at
    from raw_customers
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

latest as (
    select
        record_id,
        customer_name,
        email
    from versioned
    -- `<= 1`, not `= 1`: same rows, see macros/mrr_rank_versions.sql.
    where
        record_id is not null
        and version_rank <= 1
),

final as (
    select
        cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
        latest.customer_name,
        latest.email
    from customers
    inner join latest
        on customers.customer_id = latest.record_id
)

select * from final
