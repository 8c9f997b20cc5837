-- One row per subscription record (latest version), valid or not, with its disposition.
with

source as (
    select * from {{ mrr_billing_source('subscriptions') }}
),

customers as (
    select * from {{ ref('base_billing__customers') }}
),

cleaned as (
    select
        nullif(trim(cast(subscription_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as customer_id,
        lower(trim(status)) as status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(trial_end_at as {{ dbt.type_timestamp() }}) as trial_end_at,
        cast(canceled_at as {{ dbt.type_timestamp() }}) as canceled_at,
        cast(cancel_at as {{ dbt.type_timestamp() }}) as cancel_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

latest as (
    select * from versioned
    where version_rank = 1
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
            when customers.record_id is null then 'customer not found'
        end as broken_rule
    from latest
    left join customers
        on latest.customer_id = customers.record_id
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
final as (
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
)

select * from final
