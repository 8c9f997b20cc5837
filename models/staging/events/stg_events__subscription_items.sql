-- One row per item version of a subscription of the events, in the columns and types
-- of the raw table `subscription_items`: one unit at the event's monthly value on a
-- monthly plan, so its monthly amount is that value (spec section 3).
with

versions as (
    select * from {{ ref('mrr', 'base_events__item_versions') }}
),

plans as (
    select * from {{ ref('mrr', 'base_events__plans') }}
),

final as (
    select
        cast(versions.subscription_item_id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(versions.subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(plans.plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(1 as {{ dbt.type_int() }}) as quantity,
        cast(versions.monthly_recurring_value as {{ mrr_amount_type() }}) as unit_price,
        cast(null as {{ mrr_amount_type() }}) as discount_percent,
        cast(null as {{ mrr_amount_type() }}) as discount_amount,
        cast(versions.valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(versions.valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        cast(versions.occurred_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(false as {{ dbt.type_boolean() }}) as is_deleted
    from versions
    inner join plans
        on
            versions.plan_key = plans.plan_key
            and versions.currency = plans.currency
)

select * from final
