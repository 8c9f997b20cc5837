-- One row per plan of the events and currency, in the columns and types of the raw
-- table `plans` (base_events__plans says how plans are cut).
with

plans as (
    select * from {{ ref('mrr', 'base_events__plans') }}
),

final as (
    select
        plan_id,
        plan_name,
        product_name,
        charge_type,
        billing_interval,
        billing_interval_count,
        price,
        currency,
        updated_at,
        is_deleted
    from plans
)

select * from final
