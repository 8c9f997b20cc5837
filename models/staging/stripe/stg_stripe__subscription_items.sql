-- One row per version of a priced line of a Stripe subscription, in the columns and
-- types of the raw table `subscription_items`. A Stripe subscription item holds its
-- current price and quantity only; its versions here are cut where a coupon of its
-- subscription (or of its customer) starts or ends, so a discount counts exactly
-- while it applies (docs/stripe.md, coupons).
with

items as (
    select * from {{ source('stripe', 'subscription_item') }}
),

plans as (
    select * from {{ ref('mrr', 'stg_stripe__plans') }}
),

subscriptions as (
    select * from {{ ref('mrr', 'stg_stripe__subscriptions') }}
),

discounts as (
    select * from {{ source('stripe', 'discount') }}
),

coupons as (
    select * from {{ source('stripe', 'coupon') }}
),

subscription_versions as (
    select
        subscription_id,
        customer_id,
        row_number() over (partition by subscription_id order by updated_at desc) as version_rank
    from subscriptions
),

item_rows as (
    select
        cast(items.id as {{ dbt.type_string() }}) as item_id,
        cast(items.subscription_id as {{ dbt.type_string() }}) as subscription_id,
        subscription_versions.customer_id,
        cast(items.plan_id as {{ dbt.type_string() }}) as plan_id,
        items.quantity,
        cast(items.created as {{ dbt.type_timestamp() }}) as created_at,
        items._fivetran_synced,
        plans.billing_interval,
        plans.billing_interval_count,
        plans.currency,
        -- An amount_off coupon comes off a subscription's invoice once per period:
        -- it is given to one line, the oldest licensed (not metered) one.
        row_number() over (
            partition by items.subscription_id
            order by case when plans.charge_type = 'recurring' then 0 else 1 end, items.created, items.id
        ) as amount_off_rank
    from items
    left join plans
        on items.plan_id = plans.plan_id
    left join subscription_versions
        on
            items.subscription_id = subscription_versions.subscription_id
            and subscription_versions.version_rank = 1
),

-- Coupons applied to a whole subscription, or to a customer (all its subscriptions);
-- not those applied to one invoice or invoice item.
applied_discounts as (
    select distinct
        case when discounts.subscription_id is null then 'customer' else 'subscription' end as applied_to,
        cast(discounts.subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(discounts.customer_id as {{ dbt.type_string() }}) as customer_id,
        discounts.id as discount_id,
        cast(discounts.{{ stripe_keyword_column('start') }} as {{ dbt.type_timestamp() }}) as discount_start,
        cast(discounts.{{ stripe_keyword_column('end') }} as {{ dbt.type_timestamp() }}) as discount_end,
        lower(coupons.duration) as duration,
        coupons.duration_in_months,
        cast(coupons.percent_off as {{ mrr_amount_type() }}) as percent_off,
        coupons.amount_off,
        upper(coupons.currency) as coupon_currency
    from discounts
    inner join coupons
        on discounts.coupon_id = coupons.id
    where
        (discounts.subscription_id is not null or discounts.customer_id is not null)
        and discounts.invoice_id is null
        and discounts.invoice_item_id is null
),

item_discounts as (
    select
        item_rows.item_id,
        applied_discounts.applied_to,
        applied_discounts.discount_start,
        -- Stripe fills `end` for repeating coupons; computed here when missing.
        -- A once coupon takes one billing period off; forever never ends.
        case
            when applied_discounts.discount_end is not null then applied_discounts.discount_end
            when applied_discounts.duration = 'repeating'
                then {{ dbt.dateadd(
                    'month', 'applied_discounts.duration_in_months', 'applied_discounts.discount_start'
                ) }}
            when applied_discounts.duration = 'once'
                then {{ stripe_add_billing_period(
                    'applied_discounts.discount_start',
                    'item_rows.billing_interval',
                    'coalesce(item_rows.billing_interval_count, 1)'
                ) }}
        end as discount_end,
        applied_discounts.percent_off,
        -- An amount off is in the coupon's currency: it applies to prices in it only.
        case
            when item_rows.amount_off_rank = 1 and applied_discounts.coupon_currency = item_rows.currency
                then {{ stripe_major_units(
                    'applied_discounts.amount_off', 'applied_discounts.coupon_currency'
                ) }}
        end as amount_off
    from item_rows
    inner join applied_discounts
        on
            (
                applied_discounts.applied_to = 'subscription'
                and item_rows.subscription_id = applied_discounts.subscription_id
            )
            or (
                applied_discounts.applied_to = 'customer'
                and item_rows.customer_id = applied_discounts.customer_id
            )
),

-- Where a version of an item starts: its creation, and each start or end of a
-- discount during its life.
boundaries as (
    select
        item_id,
        created_at as boundary_at
    from item_rows
    union
    select
        item_discounts.item_id,
        item_discounts.discount_start as boundary_at
    from item_discounts
    inner join item_rows
        on item_discounts.item_id = item_rows.item_id
    where item_discounts.discount_start > item_rows.created_at
    union
    select
        item_discounts.item_id,
        cast(item_discounts.discount_end as {{ dbt.type_timestamp() }}) as boundary_at
    from item_discounts
    inner join item_rows
        on item_discounts.item_id = item_rows.item_id
    where item_discounts.discount_end > item_rows.created_at
),

windows as (
    select
        item_id,
        boundary_at as valid_from,
        lead(boundary_at) over (partition by item_id order by boundary_at) as valid_to
    from boundaries
),

windows_discounted as (
    select
        windows.item_id,
        windows.valid_from,
        windows.valid_to,
        max(case when item_discounts.applied_to = 'subscription' then 1 else 0 end) as has_subscription_discount,
        max(case when item_discounts.applied_to = 'subscription' then item_discounts.percent_off end)
            as subscription_percent,
        sum(case when item_discounts.applied_to = 'subscription' then item_discounts.amount_off end)
            as subscription_amount,
        max(case when item_discounts.applied_to = 'customer' then item_discounts.percent_off end)
            as customer_percent,
        sum(case when item_discounts.applied_to = 'customer' then item_discounts.amount_off end)
            as customer_amount
    from windows
    left join item_discounts
        on
            windows.item_id = item_discounts.item_id
            and windows.valid_from >= item_discounts.discount_start
            and (item_discounts.discount_end is null or windows.valid_from < item_discounts.discount_end)
    group by windows.item_id, windows.valid_from, windows.valid_to
),

final as (
    select
        cast(
            case
                when windows_discounted.valid_from = item_rows.created_at then item_rows.item_id
                else {{ dbt.concat([
                    'item_rows.item_id',
                    "'@'",
                    'cast(windows_discounted.valid_from as ' ~ dbt.type_string() ~ ')',
                ]) }}
            end
            as {{ dbt.type_string() }}
        ) as subscription_item_id,
        item_rows.subscription_id,
        item_rows.plan_id,
        cast(item_rows.quantity as {{ dbt.type_int() }}) as quantity,
        -- A negotiated price is its own Stripe price: there is no override.
        cast(null as {{ mrr_amount_type() }}) as unit_price,
        -- A subscription's own coupon takes precedence over its customer's.
        cast(
            case
                when windows_discounted.has_subscription_discount = 1 then windows_discounted.subscription_percent
                else windows_discounted.customer_percent
            end
            as {{ mrr_amount_type() }}
        ) as discount_percent,
        cast(
            case
                when windows_discounted.has_subscription_discount = 1 then windows_discounted.subscription_amount
                else windows_discounted.customer_amount
            end
            as {{ mrr_amount_type() }}
        ) as discount_amount,
        cast(windows_discounted.valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(windows_discounted.valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        cast(item_rows._fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from windows_discounted
    inner join item_rows
        on windows_discounted.item_id = item_rows.item_id
)

select * from final
