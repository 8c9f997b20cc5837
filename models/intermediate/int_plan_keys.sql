-- One row per plan_id that a counting subscription item carries, with plan_key, a
-- whole number standing for it within one build. The by-plan series group and join
-- on plan_key instead of on long plan ids that share their first characters: a
-- whole number hashes and compares in one step, a long text key character by
-- character.
with

items as (
    select * from {{ ref('mrr', 'int_subscription_items_active') }}
),

-- From the items themselves, so every counting item finds its key (a null plan_id
-- gets none and stays one group, as it would when grouping by plan_id).
item_plans as (
    select distinct plan_id
    from items
    where plan_id is not null
),

final as (
    select
        plan_id,
        row_number() over (order by plan_id) as plan_key
    from item_plans
)

select * from final
