-- One row per Stripe invoice, in the columns and types of the raw table `invoices`.
with

source as (
    select * from {{ source('stripe', 'invoice') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        -- Stripe's statuses are the raw contract's: draft, open, paid, uncollectible, void.
        cast(status as {{ dbt.type_string() }}) as status,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,
        -- An invoice is issued when it is finalized; a draft only has its creation.
        cast(coalesce(status_transitions_finalized_at, created) as {{ dbt.type_timestamp() }}) as issued_at,
        cast(due_date as {{ dbt.type_timestamp() }}) as due_at,
        cast(status_transitions_paid_at as {{ dbt.type_timestamp() }}) as paid_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at,
        -- Only draft invoices can be deleted in Stripe: such an invoice never existed.
        cast(coalesce(is_deleted, false) as {{ dbt.type_boolean() }}) as is_deleted
    from source
)

select * from final
