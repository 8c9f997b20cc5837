-- Versions of one priced line must not overlap: two kept items of the same
-- subscription and plan valid at the same instant would count the line twice.
-- Warns, because the billing system may legitimately sell one plan twice.
{{ config(severity='warn') }}

with

-- The items that count: kept, with a rate to the reporting currency.
items as (
    select * from {{ ref('mrr', 'int_subscription_items_valued') }}
)

select
    earlier.subscription_id,
    earlier.plan_id,
    earlier.subscription_item_id as earlier_item_id,
    later.subscription_item_id as later_item_id,
    earlier.valid_from as earlier_valid_from,
    earlier.valid_to as earlier_valid_to,
    later.valid_from as later_valid_from
from items as earlier
inner join items as later
    on
        earlier.subscription_id = later.subscription_id
        and earlier.plan_id = later.plan_id
        and earlier.subscription_item_id != later.subscription_item_id
        and (
            earlier.valid_from < later.valid_from
            or (earlier.valid_from = later.valid_from and earlier.subscription_item_id < later.subscription_item_id)
        )
        and (earlier.valid_to is null or earlier.valid_to > later.valid_from)
