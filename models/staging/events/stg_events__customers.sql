{{ config(materialized='table') }}
-- One row per customer id of a kept event, in the columns and types of the raw
-- table `customers`. Events carry no name; country and segment are the latest
-- values an event gave (docs/events.md). A table, not a view: the base customers,
-- the restricted contacts and its tests each read it, and each read of a view
-- would scan every event again.
with

events as (
    select * from {{ ref('mrr', 'base_events__subscription_events') }}
),

kept as (
    select * from events
    where exclusion_reason is null and rejection_reason is null and customer_id is not null
),

customer_rows as (
    select
        customer_id,
        min(occurred_at) as created_at,
        max(occurred_at) as updated_at
    from kept
    group by customer_id
),

countries as (
    select
        customer_id,
        country_code,
        row_number() over (
            partition by customer_id order by occurred_at desc, effective_at desc, record_id desc
        ) as recency
    from kept
    where country_code is not null
),

segments as (
    select
        customer_id,
        segment,
        row_number() over (
            partition by customer_id order by occurred_at desc, effective_at desc, record_id desc
        ) as recency
    from kept
    where segment is not null
),

final as (
    select
        cast(customer_rows.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as customer_name,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(countries.country_code as {{ dbt.type_string() }}) as country_code,
        cast(segments.segment as {{ dbt.type_string() }}) as segment,
        cast(false as {{ dbt.type_boolean() }}) as is_test,
        cast(customer_rows.created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(customer_rows.updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from customer_rows
    left join countries
        on
            customer_rows.customer_id = countries.customer_id
            and countries.recency = 1
    left join segments
        on
            customer_rows.customer_id = segments.customer_id
            and segments.recency = 1
)

select * from final
