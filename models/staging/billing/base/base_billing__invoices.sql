{{ config(materialized=mrr_base_materialized()) }}
-- One row per invoice record (latest version), valid or not, with its disposition
-- and the fx rate of its issue date (spec section 7, fct_revenue).
{%- set raw_key = 'nullif(trim(cast(invoice_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
{%- set cascades = [['customer_id', 'base_billing__customers']] %}
{%- set rate_lookup = 'cast(issued_at as date)' %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('invoices'), raw_key, cascades, rate_lookup=rate_lookup) }}
),

customers as (
    select * from {{ ref('mrr', 'base_billing__customers') }}
),

cleaned as (
    select
        nullif(trim(cast(invoice_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(trim(cast(customer_id as {{ dbt.type_string() }})), '') as customer_id,
        -- Only what validation and the marts need goes through the version window
        -- (it sorts every column it carries): subscription_id is read by no rule
        -- and no mart; due_at and paid_at tell fct_mrr_at_risk which invoices are
        -- overdue.
        lower(trim(status)) as status,
        nullif(upper(trim(currency)), '') as currency,
        {{ mrr_try_cast('issued_at', 'timestamp') }} as issued_at,
        {{ mrr_try_cast('due_at', 'timestamp') }} as due_at,
        {{ mrr_try_cast('paid_at', 'timestamp') }} as paid_at,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        coalesce({{ mrr_try_cast('is_deleted', 'boolean') }}, false) as is_deleted,
        {{ mrr_unparseable_reason('invoices', [
            ['issued_at', 'timestamp'], ['due_at', 'timestamp'], ['paid_at', 'timestamp'],
            ['updated_at', 'timestamp'], ['is_deleted', 'boolean'],
        ]) }} as unparseable_reason
    from source
),

versioned as (
    {{ mrr_rank_versions('cleaned') }}
),

latest as (
    select
        *,
        cast(issued_at as date) as rate_lookup_date
    from versioned
    -- `<= 1`, not `= 1`: same rows, see macros/mrr_rank_versions.sql.
    where version_rank <= 1
),

with_rate as (
    {{ mrr_with_fx_rate('latest') }}
),

classified as (
    select
        with_rate.record_id as invoice_id,
        with_rate.record_id,
        with_rate.customer_id,
        with_rate.status,
        with_rate.currency,
        with_rate.issued_at,
        with_rate.due_at,
        with_rate.paid_at,
        with_rate.fx_rate_to_reporting,
        with_rate.updated_at,
        with_rate.is_deleted,
        with_rate.duplicate_copies,
        with_rate.superseded_versions,
        case
            when with_rate.is_deleted then 'soft deleted'
            else {{ mrr_inherited_exclusion('customers.exclusion_reason') }}
        end as exclusion_reason,
        case
            when with_rate.record_id is null then 'missing key'
            when with_rate.unparseable_reason is not null then with_rate.unparseable_reason
            when customers.record_id is null then 'customer not found'
            when customers.rejection_reason is not null then 'customer rejected'
            when
                with_rate.status is null
                or with_rate.status not in ('draft', 'open', 'paid', 'uncollectible', 'void')
                then 'unknown status'
            when with_rate.issued_at is null then 'missing issued_at'
            when with_rate.fx_rate_to_reporting is null then 'no fx rate'
        end as broken_rule
    from with_rate
    left join customers
        on with_rate.customer_id = customers.record_id
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        invoice_id,
        record_id,
        customer_id,
        status,
        currency,
        issued_at,
        due_at,
        paid_at,
        fx_rate_to_reporting,
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
