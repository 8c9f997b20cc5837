-- Subscription events carry no invoices: the raw table `invoices`, empty, in its
-- columns and types (revenue and reconciliation marts stay empty).
with

final as (
    select
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as {{ dbt.type_timestamp() }}) as issued_at,
        cast(null as {{ dbt.type_timestamp() }}) as due_at,
        cast(null as {{ dbt.type_timestamp() }}) as paid_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_boolean() }}) as is_deleted
)

select * from final
where 1 = 0
