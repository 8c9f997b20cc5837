-- One row per recurring Stripe price (and legacy plan whose id is not a price), in the
-- columns and types of the raw table `plans`. One-time prices are left out: they
-- are never subscribed to, so they never carry MRR.
with

prices as (
    select * from {{ source('stripe', 'price') }}
),

products as (
    select * from {{ source('stripe', 'product') }}
),

price_rows as (
    select
        id,
        nickname,
        product_id,
        lower(type) as price_type,
        recurring_interval as billing_interval,
        recurring_interval_count as billing_interval_count,
        recurring_usage_type as usage_type,
        billing_scheme,
        -- unit_amount_decimal carries prices below one minor unit (e.g. 0.5 cent).
        coalesce(
            cast(unit_amount_decimal as {{ mrr_amount_type() }}),
            cast(unit_amount as {{ mrr_amount_type() }})
        ) as amount_minor,
        currency,
        _fivetran_synced
    from prices
),

-- The legacy Plans API: a plan whose id is also a price is read as the price.
plan_rows as (
    {% if mrr_bool_var('mrr_stripe_using_plan', true, 'stripe_using_plan') -%}
        select
            legacy_plans.id,
            legacy_plans.nickname,
            legacy_plans.product_id,
            'recurring' as price_type,
            legacy_plans.{{ stripe_keyword_column('interval') }} as billing_interval,
            legacy_plans.interval_count as billing_interval_count,
            legacy_plans.usage_type,
            legacy_plans.billing_scheme,
            cast(legacy_plans.amount as {{ mrr_amount_type() }}) as amount_minor,
            legacy_plans.currency,
            legacy_plans._fivetran_synced
        from {{ source('stripe', 'plan') }} as legacy_plans
        where not exists (
            select 1 from prices
            where prices.id = legacy_plans.id
        )
    {%- else -%}
        select * from price_rows
        where false
    {%- endif %}
),

all_prices as (
    select * from price_rows
    union all
    select * from plan_rows
),

final as (
    select
        cast(all_prices.id as {{ dbt.type_string() }}) as plan_id,
        cast(coalesce(all_prices.nickname, products.name, all_prices.id) as {{ dbt.type_string() }}) as plan_name,
        cast(products.name as {{ dbt.type_string() }}) as product_name,
        cast(
            case
                when lower(all_prices.usage_type) = 'metered' then 'usage'
                -- A tiered price has no unit amount: its value depends on tiers this
                -- project does not read. An unknown charge type gets it (and its
                -- items) rejected, visibly, instead of counted at zero.
                when lower(all_prices.billing_scheme) = 'tiered' then 'tiered'
                else 'recurring'
            end
            as {{ dbt.type_string() }}
        ) as charge_type,
        cast(all_prices.billing_interval as {{ dbt.type_string() }}) as billing_interval,
        cast(all_prices.billing_interval_count as {{ dbt.type_int() }}) as billing_interval_count,
        {{ stripe_major_units('all_prices.amount_minor', 'all_prices.currency') }} as price,
        cast(upper(all_prices.currency) as {{ dbt.type_string() }}) as currency,
        cast(all_prices._fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at,
        -- A deleted (archived) price keeps billing its existing subscriptions in
        -- Stripe: it is not a deleted record in the raw contract's sense.
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from all_prices
    left join products
        on all_prices.product_id = products.id
    where coalesce(all_prices.price_type, 'recurring') = 'recurring'
)

select * from final
