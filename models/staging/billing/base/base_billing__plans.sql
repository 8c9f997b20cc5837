{{ config(materialized=mrr_base_materialized()) }}
-- One row per plan record (latest version), valid or not, with its disposition.
{%- set raw_key = 'nullif(trim(cast(plan_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('plans'), raw_key) }}
),

cleaned as (
    select
        nullif(trim(cast(plan_id as {{ dbt.type_string() }})), '') as record_id,
        trim(plan_name) as plan_name,
        trim(product_name) as product_name,
        lower(trim(charge_type)) as charge_type,
        lower(trim(billing_interval)) as billing_interval,
        -- Spec: a null interval count means 1.
        coalesce({{ mrr_try_cast('billing_interval_count', 'integer') }}, 1) as billing_interval_count,
        {{ mrr_try_cast('price', 'decimal') }} as price,
        nullif(upper(trim(currency)), '') as currency,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        coalesce({{ mrr_try_cast('is_deleted', 'boolean') }}, false) as is_deleted,
        {{ mrr_unparseable_reason('plans', [
            ['billing_interval_count', 'integer'], ['price', 'decimal'], ['updated_at', 'timestamp'],
            ['is_deleted', 'boolean'],
        ]) }} as unparseable_reason
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

classified as (
    select
        record_id as plan_id,
        record_id,
        plan_name,
        product_name,
        charge_type,
        billing_interval,
        billing_interval_count,
        price,
        currency,
        updated_at,
        is_deleted,
        duplicate_copies,
        superseded_versions,
        case
            when is_deleted then 'soft deleted'
        end as exclusion_reason,
        case
            when record_id is null then 'missing key'
            when unparseable_reason is not null then unparseable_reason
            when charge_type is null or charge_type not in ('recurring', 'usage') then 'unknown charge_type'
            when
                billing_interval is null
                or billing_interval not in ('day', 'week', 'month', 'quarter', 'year')
                then 'unknown billing_interval'
            when billing_interval_count < 1 then 'billing_interval_count below 1'
            when price < 0 then 'negative price'
        end as broken_rule
    from versioned
    -- `<= 1`, not `= 1`: same rows, see macros/mrr_rank_versions.sql.
    where version_rank <= 1
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        plan_id,
        record_id,
        plan_name,
        product_name,
        charge_type,
        billing_interval,
        billing_interval_count,
        price,
        currency,
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
