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

names as (
    select
        plan_key,
        currency,
        plan_name,
        row_number() over (partition by plan_key, currency order by occurred_at desc, record_id desc) as recency
    from value_events
    where plan_name is not null
),

products as (
    select
        plan_key,
        currency,
        product_name,
        row_number() over (partition by plan_key, currency order by occurred_at desc, record_id desc) as recency
    from value_events
    where product_name is not null
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
