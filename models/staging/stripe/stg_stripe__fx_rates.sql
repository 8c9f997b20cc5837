-- Stripe has no exchange rates: the raw table `fx_rates` stays a table you provide,
-- read from vars billing_database / billing_schema as without Stripe.
{%- if mrr_billing_source_name() == 'stripe' and var('billing_schema', none) is none %}
    {{ exceptions.raise_compiler_error(
        "var 'billing_schema' must name the schema of your fx_rates table when billing_source is stripe"
        ~ " (Stripe has no exchange rates; see docs/stripe.md)"
    ) }}
{%- endif %}

with

source as (
    select * from {{ source('billing', 'fx_rates') }}
),

final as (
    select
        rate_date,
        from_currency,
        to_currency,
        rate
    from source
)

select * from final
