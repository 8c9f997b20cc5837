{{ config(materialized='table') }}
-- One row per plan of the events and currency, with the columns and types of the
-- raw table `plans` and the plan's key in the events (plan_key): a monthly plan
-- without a price of its own, since each item carries the event's monthly value as
-- its unit_price. plan_id is the event's plan_id (or
-- `subscription:<subscription_id>` when it has none); a plan sold in several
-- currencies is one plan per currency, `<plan_id> <currency>`, since a raw plan has
-- one currency (docs/events.md).
with

timeline as (
    select * from {{ ref('mrr', 'base_events__event_timeline') }}
),

value_events as (
    select * from timeline
    where is_live and not is_cancel
),

plan_currencies as (
    select
        plan_key,
        currency,
        max(occurred_at) as updated_at,
        count(*) over (partition by plan_key) as currencies_of_plan
    from value_events
    group by plan_key, currency
),

-- The latest name and product of each plan and currency. Plans are few and their
-- events many: the latest time is found by aggregating, and only the events at that
-- time are ranked (by record_id), instead of sorting every event of a plan.
named_events as (
    select
        plan_key,
        currency,
        plan_name,
        occurred_at,
        record_id
    from value_events
    where plan_name is not null
),

latest_name_times as (
    select
        plan_key,
        currency,
        max(occurred_at) as latest_at
    from named_events
    group by plan_key, currency
),

names as (
    select
        named_events.plan_key,
        named_events.currency,
        named_events.plan_name,
        row_number() over (
            partition by named_events.plan_key, named_events.currency order by named_events.record_id desc
        ) as recency
    from named_events
    inner join latest_name_times
        on
            named_events.plan_key = latest_name_times.plan_key
            and named_events.currency = latest_name_times.currency
            and named_events.occurred_at = latest_name_times.latest_at
),

product_events as (
    select
        plan_key,
        currency,
        product_name,
        occurred_at,
        record_id
    from value_events
    where product_name is not null
),

latest_product_times as (
    select
        plan_key,
        currency,
        max(occurred_at) as latest_at
    from product_events
    group by plan_key, currency
),

products as (
    select
        product_events.plan_key,
        product_events.currency,
        product_events.product_name,
        row_number() over (
            partition by product_events.plan_key, product_events.currency order by product_events.record_id desc
        ) as recency
    from product_events
    inner join latest_product_times
        on
            product_events.plan_key = latest_product_times.plan_key
            and product_events.currency = latest_product_times.currency
            and product_events.occurred_at = latest_product_times.latest_at
),

final as (
    select
        cast(
            case
                when plan_currencies.currencies_of_plan = 1 then plan_currencies.plan_key
                else {{ dbt.concat(['plan_currencies.plan_key', "' '", 'plan_currencies.currency']) }}
            end
            as {{ dbt.type_string() }}
        ) as plan_id,
        cast(coalesce(names.plan_name, plan_currencies.plan_key) as {{ dbt.type_string() }}) as plan_name,
        cast(products.product_name as {{ dbt.type_string() }}) as product_name,
        cast('recurring' as {{ dbt.type_string() }}) as charge_type,
        cast('month' as {{ dbt.type_string() }}) as billing_interval,
        cast(1 as {{ dbt.type_int() }}) as billing_interval_count,
        cast(null as {{ mrr_amount_type() }}) as price,
        cast(plan_currencies.currency as {{ dbt.type_string() }}) as currency,
        cast(plan_currencies.updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted,
        plan_currencies.plan_key
    from plan_currencies
    left join names
        on
            plan_currencies.plan_key = names.plan_key
            and plan_currencies.currency = names.currency
            and names.recency = 1
    left join products
        on
            plan_currencies.plan_key = products.plan_key
            and plan_currencies.currency = products.currency
            and products.recency = 1
)

select * from final
