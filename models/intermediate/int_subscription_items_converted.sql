-- One row per subscription item kept by staging: its currency (its plan's) and the
-- rate to the reporting currency locked at the date of its valid_from (spec
-- section 3), so an exchange-rate swing never shows as expansion or contraction.
-- An item with no such rate is rejected here ('no fx rate'), the last of an
-- item's rules: audit_rejected_records and audit_raw_row_accounting read it.
with

items as (
    select * from {{ ref('mrr', 'stg_billing__subscription_items') }}
),

plans as (
    select * from {{ ref('mrr', 'stg_billing__plans') }}
),

-- An item of a kept plan only: staging keeps no item whose plan is gone or rejected.
items_in_currency as (
    select
        items.subscription_item_id,
        items.subscription_id,
        items.customer_id,
        items.plan_id,
        items.quantity,
        items.unit_price,
        items.discount_percent,
        items.discount_amount,
        items.valid_from,
        items.valid_to,
        plans.currency,
        -- The rate is locked when the item starts: later rates never change it.
        cast(items.valid_from as date) as rate_lookup_date
    from items
    inner join plans
        on items.plan_id = plans.plan_id
),

-- The latest direct rate on or before rate_lookup_date (stg_billing__fx_rates),
-- null when there is none; 1 for the reporting currency.
converted as (
    {{ mrr_with_fx_rate('items_in_currency') }}
),

final as (
    select
        subscription_item_id,
        subscription_id,
        customer_id,
        plan_id,
        quantity,
        unit_price,
        discount_percent,
        discount_amount,
        valid_from,
        valid_to,
        currency,
        fx_rate_to_reporting,
        case
            when fx_rate_to_reporting is null then {{ mrr_rejection_reason('subscription_items', 'no fx rate') }}
        end as rejection_reason
    from converted
)

select * from final
