-- One row per kept subscription item: its monthly value (spec section 3) in its own
-- currency and in the reporting currency at the rate locked at valid_from.
with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_converted') }}
    -- An item without a rate has no value in the reporting currency: it is rejected.
    where rejection_reason is null
),

plans as (
    select * from {{ ref('mrr', 'stg_billing__plans') }}
),

priced as (
    select
        items.subscription_item_id,
        items.subscription_id,
        items.customer_id,
        items.plan_id,
        plans.charge_type,
        plans.billing_interval,
        plans.billing_interval_count,
        items.quantity,
        items.currency,
        items.fx_rate_to_reporting,
        items.valid_from,
        items.valid_to,
        coalesce(items.unit_price, plans.price) as unit_price,
        {% if mrr_apply_discounts() -%}
            cast(coalesce(items.discount_percent, 0) as {{ mrr_amount_type() }}) as discount_percent,
            cast(coalesce(items.discount_amount, 0) as {{ mrr_amount_type() }}) as discount_amount,
        {%- else -%}
            -- mrr_apply_discounts is false: list value, discounts ignored.
            cast(0 as {{ mrr_amount_type() }}) as discount_percent,
            cast(0 as {{ mrr_amount_type() }}) as discount_amount,
        {%- endif %}
        -- factor = numerator / denominator (spec section 3), kept apart so that
        -- the single division below is exact.
        case plans.billing_interval
            when 'day' then 365
            when 'week' then 52
            else 1
        end as factor_numerator,
        case plans.billing_interval
            when 'day' then 12
            when 'week' then 12
            when 'month' then 1
            when 'quarter' then 3
            when 'year' then 12
        end as factor_denominator
    from items
    inner join plans
        on items.plan_id = plans.plan_id
),

period_amounts as (
    select
        *,
        -- Percent first, then the fixed amount, floored at zero (spec section 3).
        -- mrr_percent_of keeps the product exact where a plain product of two
        -- 12-decimal values would overflow (a large quantity in a weak currency).
        cast(
            greatest(
                {{ mrr_percent_of('unit_price * quantity', '100 - discount_percent') }} - discount_amount,
                0
            ) as {{ mrr_amount_type() }}
        ) as period_amount
    from priced
),

monthly_amounts as (
    select
        *,
        case
            when charge_type = 'recurring'
                then {{ mrr_divide(
                    'period_amount * factor_numerator',
                    'factor_denominator * billing_interval_count'
                ) }}
            -- Usage (metered) plans are never MRR.
            else cast(0 as {{ mrr_amount_type() }})
        end as monthly_amount
    from period_amounts
),

final as (
    select
        subscription_item_id,
        subscription_id,
        customer_id,
        plan_id,
        charge_type,
        billing_interval,
        billing_interval_count,
        quantity,
        unit_price,
        discount_percent,
        discount_amount,
        period_amount,
        monthly_amount,
        currency,
        fx_rate_to_reporting,
        {{ mrr_multiply('monthly_amount', 'fx_rate_to_reporting') }} as monthly_amount_reporting,
        valid_from,
        valid_to
    from monthly_amounts
)

select * from final
