{{ config(materialized=mrr_base_materialized()) }}
-- One row per subscription item record (latest version), valid or not, with its
-- disposition. The fx rate locked at valid_from is looked up, and an item without
-- one rejected, by int_subscription_items_converted.
{%- set raw_key = 'nullif(trim(cast(subscription_item_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
{%- set cascades = [['subscription_id', 'base_billing__subscriptions'], ['plan_id', 'base_billing__plans']] %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('subscription_items'), raw_key, cascades) }}
),

subscriptions as (
    select * from {{ ref('mrr', 'base_billing__subscriptions') }}
),

plans as (
    select * from {{ ref('mrr', 'base_billing__plans') }}
),

cleaned as (
    select
        nullif(trim(cast(subscription_item_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(trim(cast(subscription_id as {{ dbt.type_string() }})), '') as subscription_id,
        nullif(trim(cast(plan_id as {{ dbt.type_string() }})), '') as plan_id,
        -- Spec: a null quantity means 1.
        coalesce({{ mrr_try_cast('quantity', 'integer') }}, 1) as quantity,
        {{ mrr_try_cast('unit_price', 'decimal') }} as unit_price,
        {{ mrr_try_cast('discount_percent', 'decimal') }} as discount_percent,
        {{ mrr_try_cast('discount_amount', 'decimal') }} as discount_amount,
        {{ mrr_try_cast('valid_from', 'timestamp') }} as valid_from,
        {{ mrr_try_cast('valid_to', 'timestamp') }} as valid_to,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        coalesce({{ mrr_try_cast('is_deleted', 'boolean') }}, false) as is_deleted,
        {{ mrr_unparseable_reason('subscription_items', [
            ['quantity', 'integer'], ['unit_price', 'decimal'], ['discount_percent', 'decimal'],
            ['discount_amount', 'decimal'], ['valid_from', 'timestamp'], ['valid_to', 'timestamp'],
            ['updated_at', 'timestamp'], ['is_deleted', 'boolean'],
        ]) }} as unparseable_reason
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

latest as (
    select * from versioned
    -- `<= 1`, not `= 1`: same rows, see macros/mrr_rank_versions.sql.
    where version_rank <= 1
),

classified as (
    select
        latest.record_id as subscription_item_id,
        latest.record_id,
        latest.subscription_id,
        subscriptions.customer_id,
        latest.plan_id,
        latest.quantity,
        latest.unit_price,
        latest.discount_percent,
        latest.discount_amount,
        latest.valid_from,
        latest.valid_to,
        latest.updated_at,
        latest.is_deleted,
        latest.duplicate_copies,
        latest.superseded_versions,
        case
            when latest.is_deleted then 'soft deleted'
            when
                subscriptions.exclusion_reason in ('soft deleted', 'parent soft deleted')
                or plans.exclusion_reason in ('soft deleted', 'parent soft deleted')
                then 'parent soft deleted'
            else {{ mrr_inherited_exclusion('subscriptions.exclusion_reason') }}
        end as exclusion_reason,
        case
            when latest.record_id is null then 'missing key'
            when latest.unparseable_reason is not null then latest.unparseable_reason
            when subscriptions.record_id is null then 'subscription not found'
            when subscriptions.rejection_reason is not null then 'subscription rejected'
            when plans.record_id is null then 'plan not found'
            when plans.rejection_reason is not null then 'plan rejected'
            when latest.unit_price < 0 then 'negative unit_price'
            when latest.quantity < 0 then 'negative quantity'
            when latest.discount_amount < 0 then 'negative discount_amount'
            when latest.discount_percent < 0 or latest.discount_percent > 100
                then 'discount_percent outside 0-100'
            when latest.valid_from is null then 'missing valid_from'
            when latest.valid_to < latest.valid_from then 'valid_to before valid_from'
            -- No price anywhere: the item has no value (the spec's formula gives
            -- null), and counting it as 0 would repair it silently. A usage item
            -- needs none: it never carries MRR.
            when
                latest.unit_price is null
                and plans.price is null
                and plans.charge_type = 'recurring'
                then 'missing price'
        end as broken_rule
    from latest
    left join subscriptions
        on latest.subscription_id = subscriptions.record_id
    left join plans
        on latest.plan_id = plans.record_id
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        subscription_item_id,
        record_id,
        subscription_id,
        customer_id,
        plan_id,
        quantity,
        unit_price,
        discount_percent,
        discount_amount,
        valid_from,
        valid_to,
        updated_at,
        is_deleted,
        duplicate_copies,
        superseded_versions,
        exclusion_reason,
        case when exclusion_reason is null then broken_rule end as rejection_reason
    from classified
),

-- Stamped with this run; a record rebuilt exactly as stored keeps its changed_at,
-- so its children are not re-read for nothing (macros/mrr_with_processed_at.sql).
final as (
    {{ mrr_with_processed_at('records') }}
)

select * from final
