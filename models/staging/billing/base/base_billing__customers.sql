{{ config(materialized=mrr_base_materialized()) }}
-- One row per customer record (latest version), valid or not, with its disposition.
-- Without the customer's name and e-mail: personal data is read from the raw
-- table by restricted_customer_contacts alone, so it never lands beside the marts.
{%- set raw_key = 'nullif(trim(cast(customer_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('customers'), raw_key) }}
),

cleaned as (
    select
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(upper(trim(country_code)), '') as country_code,
        nullif(lower(trim(segment)), '') as segment,
        -- A null flag means false: not a test account, not deleted (docs/decisions.md).
        coalesce({{ mrr_try_cast('is_test', 'boolean') }}, false) as is_test,
        {{ mrr_try_cast('created_at', 'timestamp') }} as created_at,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        coalesce({{ mrr_try_cast('is_deleted', 'boolean') }}, false) as is_deleted,
        {{ mrr_unparseable_reason('customers', [
            ['is_test', 'boolean'], ['created_at', 'timestamp'], ['updated_at', 'timestamp'],
            ['is_deleted', 'boolean'],
        ]) }} as unparseable_reason
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

classified as (
    select
        record_id as customer_id,
        record_id,
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
            when unparseable_reason is not null then unparseable_reason
        end as broken_rule
    from versioned
    -- `<= 1`, not `= 1`: same rows, see macros/mrr_rank_versions.sql.
    where version_rank <= 1
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        customer_id,
        record_id,
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
),

-- Stamped with this run; a record rebuilt exactly as stored keeps its changed_at,
-- so its children are not re-read for nothing (macros/mrr_with_processed_at.sql).
final as (
    {{ mrr_with_processed_at('records') }}
)

select * from final
