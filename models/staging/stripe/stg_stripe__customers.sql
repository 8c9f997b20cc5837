-- One row per Stripe customer, in the columns and types of the raw table `customers`.
with

source as (
    select * from {{ source('stripe', 'customer') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as customer_id,
        cast(name as {{ dbt.type_string() }}) as customer_name,
        cast(email as {{ dbt.type_string() }}) as email,
        -- The billing address's country: what Stripe Tax and invoices use.
        cast(address_country as {{ dbt.type_string() }}) as country_code,
        -- Stripe has no segment.
        cast(null as {{ dbt.type_string() }}) as segment,
        -- Objects made with test keys are test accounts.
        cast(not coalesce(livemode, true) as {{ dbt.type_boolean() }}) as is_test,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at,
        {% if mrr_bool_var('mrr_stripe_drop_deleted_customers', false, 'stripe_drop_deleted_customers') -%}
            cast(coalesce(is_deleted, false) as {{ dbt.type_boolean() }}) as is_deleted
        {%- else -%}
            -- Deleting a customer in Stripe cancels its subscriptions (they end, and
            -- their MRR with them); it does not undo the revenue of the past.
            cast(false as {{ dbt.type_boolean() }}) as is_deleted
        {%- endif %}
    from source
)

select * from final
