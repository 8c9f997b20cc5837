-- Subscription events carry no exchange rates: the raw table `fx_rates` stays a table
-- you provide, read from vars billing_database / billing_schema as for native data.
{%- if mrr_billing_source_name() in ('events', 'ga4') and var('billing_schema', none) is none %}
    {{ exceptions.raise_compiler_error(
        "var 'billing_schema' must name the schema of your fx_rates table when billing_source is "
        ~ mrr_billing_source_name() ~ " (events carry no exchange rates; see docs/events.md)"
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
