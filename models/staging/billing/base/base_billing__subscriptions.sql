{{ config(materialized=mrr_base_materialized()) }}
-- One row per subscription record (latest version), valid or not, with its disposition.
{%- set raw_key = 'nullif(trim(cast(subscription_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
{%- set cascades = [['customer_id', 'base_billing__customers']] %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('subscriptions'), raw_key, cascades) }}
),

customers as (
    select * from {{ ref('mrr', 'base_billing__customers') }}
),

cleaned as (
    select
        nullif(trim(cast(subscription_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as customer_id,
        lower(trim(status)) as status,
        {{ mrr_try_cast('created_at', 'timestamp') }} as created_at,
        {{ mrr_try_cast('started_at', 'timestamp') }} as started_at,
        {{ mrr_try_cast('trial_end_at', 'timestamp') }} as trial_end_at,
        {{ mrr_try_cast('canceled_at', 'timestamp') }} as canceled_at,
        {{ mrr_try_cast('cancel_at', 'timestamp') }} as cancel_at,
        {{ mrr_try_cast('ended_at', 'timestamp') }} as ended_at,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        coalesce({{ mrr_try_cast('is_deleted', 'boolean') }}, false) as is_deleted,
        {{ mrr_unparseable_reason('subscriptions', [
            ['created_at', 'timestamp'], ['started_at', 'timestamp'], ['trial_end_at', 'timestamp'],
            ['canceled_at', 'timestamp'], ['cancel_at', 'timestamp'], ['ended_at', 'timestamp'],
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
        latest.record_id as subscription_id,
        latest.record_id,
        latest.customer_id,
        latest.status,
        latest.created_at,
        latest.started_at,
        latest.trial_end_at,
        latest.canceled_at,
        latest.cancel_at,
        latest.ended_at,
        latest.updated_at,
        latest.is_deleted,
        latest.duplicate_copies,
        latest.superseded_versions,
        case
            when latest.is_deleted then 'soft deleted'
            else {{ mrr_inherited_exclusion('customers.exclusion_reason') }}
        end as exclusion_reason,
        case
            when latest.record_id is null then 'missing key'
            when latest.unparseable_reason is not null then latest.unparseable_reason
            when customers.record_id is null then 'customer not found'
            when customers.rejection_reason is not null then 'customer rejected'
        end as broken_rule
    from latest
    left join customers
        on latest.customer_id = customers.record_id
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        subscription_id,
        record_id,
        customer_id,
        status,
        created_at,
        started_at,
        trial_end_at,
        canceled_at,
        cancel_at,
        ended_at,
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
