{{ config(materialized=mrr_base_materialized()) }}
-- One row per invoice line record (latest version), valid or not, with its disposition.
-- Lines have no soft delete of their own: they go with their invoice.
{%- set raw_key = 'nullif(trim(cast(invoice_line_id as ' ~ dbt.type_string() ~ ')), \'\')' %}
{%- set cascades = [['invoice_id', 'base_billing__invoices']] %}
with

source as (
    {{ mrr_incremental_source(mrr_billing_source('invoice_lines'), raw_key, cascades) }}
),

invoices as (
    select * from {{ ref('mrr', 'base_billing__invoices') }}
),

cleaned as (
    select
        nullif(trim(cast(invoice_line_id as {{ dbt.type_string() }})), '') as record_id,
        nullif(trim(cast(invoice_id as {{ dbt.type_string() }})), '') as invoice_id,
        lower(trim(line_type)) as line_type,
        -- Only what validation and the marts need goes through the version window:
        -- the window sorts every column it carries, and invoice lines are the largest
        -- raw table. subscription_id, plan_id, description and tax_amount are read by
        -- no rule and no mart (tax_amount is still checked for unparseable values).
        -- Amounts are cast after the version window, not before: 128-bit decimals
        -- make the sort of millions of rows much heavier (and spill sooner).
        quantity,
        amount,
        discount_amount,
        {{ mrr_try_cast('period_start', 'timestamp') }} as period_start,
        {{ mrr_try_cast('period_end', 'timestamp') }} as period_end,
        {{ mrr_try_cast('updated_at', 'timestamp') }} as updated_at,
        {{ mrr_unparseable_reason('invoice_lines', [
            ['quantity', 'decimal'], ['amount', 'decimal'], ['discount_amount', 'decimal'],
            ['tax_amount', 'decimal'], ['period_start', 'timestamp'], ['period_end', 'timestamp'],
            ['updated_at', 'timestamp'],
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
        latest.record_id as invoice_line_id,
        latest.record_id,
        latest.invoice_id,
        latest.line_type,
        {{ mrr_try_cast('latest.quantity', 'decimal') }} as quantity,
        {{ mrr_try_cast('latest.amount', 'decimal') }} as amount,
        {{ mrr_try_cast('latest.discount_amount', 'decimal') }} as discount_amount,
        latest.period_start,
        latest.period_end,
        latest.updated_at,
        latest.duplicate_copies,
        latest.superseded_versions,
        {{ mrr_inherited_exclusion('invoices.exclusion_reason') }} as exclusion_reason,
        case
            when latest.record_id is null then 'missing key'
            when latest.unparseable_reason is not null then latest.unparseable_reason
            when invoices.record_id is null then 'invoice not found'
            when invoices.rejection_reason is not null then 'invoice rejected'
            when
                latest.line_type is null
                or latest.line_type not in ('subscription', 'proration', 'usage', 'one_time', 'setup')
                then 'unknown line_type'
            -- An amount is the line's revenue: without one the line cannot be
            -- counted, and counting it as 0 would repair it silently.
            when {{ mrr_try_cast('latest.amount', 'decimal') }} is null then 'missing amount'
            when {{ mrr_try_cast('latest.quantity', 'decimal') }} < 0 then 'negative quantity'
            when {{ mrr_try_cast('latest.discount_amount', 'decimal') }} < 0 then 'negative discount_amount'
        end as broken_rule
    from latest
    left join invoices
        on latest.invoice_id = invoices.record_id
),

-- A gone record is gone: an excluded record is not also validated (docs/decisions.md).
records as (
    select
        invoice_line_id,
        record_id,
        invoice_id,
        line_type,
        quantity,
        amount,
        discount_amount,
        period_start,
        period_end,
        updated_at,
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
