-- One row per version of a priced line of a Stripe subscription, in the columns and
-- types of the raw table `subscription_items`. A Stripe subscription item holds its
-- current price and quantity only; its versions here are cut where the discount
-- that applies to it changes while it is paid for (a coupon of its subscription or
-- of its customer starting or ending), and nowhere else: each cut locks a new
-- exchange rate (spec section 3), so one that changes nothing must not be made
-- (docs/stripe.md, coupons).
{#- With trials counted, the trial's end does not start the paid period. -#}
{%- set paid_from_trial_end = 'item_rows.created_at' if mrr_include_trials()
    else 'coalesce(subscription_versions.trial_end_at, item_rows.created_at)' %}
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
        started_at,
        trial_end_at,
        ended_at,
        cancel_at,
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
        -- With mrr_apply_discounts false no discount applies, and none cuts an item.
        and {{ 'true' if mrr_apply_discounts() else 'false' }}
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

-- The discount that applies in each window: a subscription's own coupon takes
-- precedence over its customer's.
window_terms as (
    select
        item_id,
        valid_from,
        valid_to,
        case
            when has_subscription_discount = 1 then subscription_percent else customer_percent
        end as discount_percent,
        case
            when has_subscription_discount = 1 then subscription_amount else customer_amount
        end as discount_amount
    from windows_discounted
),

-- The days the item is paid for (spec section 4: from the latest of its creation,
-- the subscription's start and, trials excluded, the trial's end; to the earliest
-- of the subscription's end and scheduled end), as dates.
paid_periods as (
    select
        item_rows.item_id,
        subscription_versions.started_at,
        cast(
            greatest(
                item_rows.created_at,
                coalesce(subscription_versions.started_at, item_rows.created_at),
                {{ paid_from_trial_end }}
            )
            as date
        ) as paid_from,
        cast(
            coalesce(
                least(subscription_versions.ended_at, subscription_versions.cancel_at),
                subscription_versions.ended_at,
                subscription_versions.cancel_at
            )
            as date
        ) as paid_until
    from item_rows
    left join subscription_versions
        on
            item_rows.subscription_id = subscription_versions.subscription_id
            and subscription_versions.version_rank = 1
),

-- A window is paid when at least one of its days is (days, not instants: spec
-- section 4). Only there do its terms reach MRR.
windows_paid as (
    select
        window_terms.*,
        case
            when
                paid_periods.started_at is not null
                and (window_terms.valid_to is null or cast(window_terms.valid_to as date) > paid_periods.paid_from)
                and (paid_periods.paid_until is null or cast(window_terms.valid_from as date) < paid_periods.paid_until)
                and (
                    window_terms.valid_to is null
                    or cast(window_terms.valid_to as date) > cast(window_terms.valid_from as date)
                )
                then 1
            else 0
        end as is_paid
    from window_terms
    inner join paid_periods
        on window_terms.item_id = paid_periods.item_id
),

paid_windows_ranked as (
    select
        item_id,
        valid_from,
        discount_percent,
        discount_amount,
        row_number() over (partition by item_id order by valid_from) as paid_rank,
        lag(discount_percent) over (partition by item_id order by valid_from) as previous_percent,
        lag(discount_amount) over (partition by item_id order by valid_from) as previous_amount
    from windows_paid
    where is_paid = 1
),

-- Where a version starts: the item's creation, and each paid window whose
-- discount differs from the previous paid window's. A cut that changes nothing
-- is not made, so the version keeps the rate locked at its valid_from (spec
-- section 3) and an exchange-rate swing never shows as a movement.
version_starts as (
    select
        item_id,
        created_at as valid_from
    from item_rows
    union
    select
        item_id,
        valid_from
    from paid_windows_ranked
    where
        paid_rank > 1
        and (
            coalesce(discount_percent, 0) <> coalesce(previous_percent, 0)
            or coalesce(discount_amount, 0) <> coalesce(previous_amount, 0)
        )
),

versions as (
    select
        item_id,
        valid_from,
        lead(valid_from) over (partition by item_id order by valid_from) as valid_to
    from version_starts
),

-- A version's terms are those of its first paid window (of its first window
-- when none is paid: it never counts).
version_terms as (
    select
        versions.item_id,
        versions.valid_from,
        versions.valid_to,
        windows_paid.discount_percent,
        windows_paid.discount_amount,
        row_number() over (
            partition by versions.item_id, versions.valid_from
            order by windows_paid.is_paid desc, windows_paid.valid_from asc
        ) as terms_rank
    from versions
    inner join windows_paid
        on
            versions.item_id = windows_paid.item_id
            and versions.valid_from <= windows_paid.valid_from
            and (versions.valid_to is null or versions.valid_to > windows_paid.valid_from)
),

final as (
    select
        cast(
            case
                when version_terms.valid_from = item_rows.created_at then item_rows.item_id
                else {{ dbt.concat([
                    'item_rows.item_id',
                    "'@'",
                    'cast(version_terms.valid_from as ' ~ dbt.type_string() ~ ')',
                ]) }}
            end
            as {{ dbt.type_string() }}
        ) as subscription_item_id,
        item_rows.subscription_id,
        item_rows.plan_id,
        cast(item_rows.quantity as {{ dbt.type_int() }}) as quantity,
        -- A negotiated price is its own Stripe price: there is no override.
        cast(null as {{ mrr_amount_type() }}) as unit_price,
        cast(version_terms.discount_percent as {{ mrr_amount_type() }}) as discount_percent,
        cast(version_terms.discount_amount as {{ mrr_amount_type() }}) as discount_amount,
        cast(version_terms.valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(version_terms.valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        cast(item_rows._fivetran_synced as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from version_terms
    inner join item_rows
        on version_terms.item_id = item_rows.item_id
    where version_terms.terms_rank = 1
)

select * from final
