-- One row per line of a Stripe invoice, in the columns and types of the raw table
-- `invoice_lines`.
with

lines as (
    select
        *,
        -- Newer Stripe API versions fill price_id and may leave plan_id empty;
        -- a price and its plan share the id.
        coalesce(nullif(trim(plan_id), ''), nullif(trim(price_id), '')) as line_plan_id
    from {{ source('stripe', 'invoice_line_item') }}
),

invoices as (
    select * from {{ source('stripe', 'invoice') }}
),

plans as (
    select * from {{ ref('mrr', 'stg_stripe__plans') }}
),

final as (
    select
        -- Line ids of old API versions repeat across invoices (Fivetran's key is
        -- id with invoice_id): the invoice makes them unique.
        cast({{ dbt.concat(['lines.invoice_id', "'/'", 'lines.id']) }} as {{ dbt.type_string() }}) as invoice_line_id,
        cast(lines.invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(lines.subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(lines.line_plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(
            case
                when lines.proration then 'proration'
                when lower(lines.type) = 'subscription' and plans.charge_type = 'usage' then 'usage'
                when lower(lines.type) = 'subscription' then 'subscription'
                -- Invoice items: one-off charges (Stripe has no separate setup fee).
                else 'one_time'
            end
            as {{ dbt.type_string() }}
        ) as line_type,
        cast(lines.description as {{ dbt.type_string() }}) as description,
        cast(lines.quantity as {{ mrr_amount_type() }}) as quantity,
        {{ stripe_major_units('lines.amount', 'coalesce(lines.currency, invoices.currency)') }} as amount,
        -- Per-line discounts and taxes are nested lists in Stripe (discount_amounts,
        -- tax_amounts) that these tables do not carry (docs/stripe.md).
        cast(null as {{ mrr_amount_type() }}) as discount_amount,
        cast(null as {{ mrr_amount_type() }}) as tax_amount,
        cast(lines.period_start as {{ dbt.type_timestamp() }}) as period_start,
        cast(lines.period_end as {{ dbt.type_timestamp() }}) as period_end,
        cast(lines._fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at
    from lines
    left join invoices
        on lines.invoice_id = invoices.id
    left join plans
        on lines.line_plan_id = plans.plan_id
)

select * from final
