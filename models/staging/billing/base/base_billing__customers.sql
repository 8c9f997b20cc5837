-- One row per customer record (latest version), valid or not, with its disposition.
with

source as (
    select * from {{ mrr_billing_source('customers') }}
),

cleaned as (
    select
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as record_id,
        trim(customer_name) as customer_name,
        nullif(trim(email), '') as email,
        nullif(upper(trim(country_code)), '') as country_code,
        nullif(lower(trim(segment)), '') as segment,
        coalesce(cast(is_test as {{ dbt.type_boolean() }}), false) as is_test,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

classified as (
    select
        record_id as customer_id,
        record_id,
        customer_name,
        email,
        country_code,
        segment,
        is_test,
        created_at,
        updated_at,
        is_deleted,
        duplicate_copies,
        superseded_versions,
        case
            when is_deleted then 'soft deleted'
            when is_test then 'test customer'
        end as exclusion_reason,
        case
            when record_id is null then 'missing key'
        end as broken_rule
    from versioned
    where version_rank = 1
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
final as (
    select
        customer_id,
        record_id,
        customer_name,
        email,
        country_code,
        segment,
        is_test,
        created_at,
        updated_at,
        is_deleted,
        duplicate_copies,
        superseded_versions,
        exclusion_reason,
        case when exclusion_reason is null then broken_rule end as rejection_reason
    from classified
)

select * from final
