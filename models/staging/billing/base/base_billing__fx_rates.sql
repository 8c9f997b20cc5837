-- One row per fx rate record (rate_date, from_currency, to_currency), valid or not.
-- The table has no updated_at: identical rows are copies; different rates for one
-- key cannot be told apart, so the key is rejected rather than guessed.
-- Without updated_at no run can tell which rates are new: always rebuilt whole
-- (the table is small); models using a rate check it against the one they used.
{{ config(materialized='table') }}
{%- set record_id_parts = [
    'from_currency', "'>'", 'to_currency', "'@'", 'cast(rate_date as ' ~ dbt.type_string() ~ ')'
] %}

with

source as (
    select * from {{ mrr_billing_source('fx_rates') }}
),

cleaned as (
    select
        {{ mrr_try_cast('rate_date', 'date') }} as rate_date,
        nullif(upper(trim(from_currency)), '') as from_currency,
        nullif(upper(trim(to_currency)), '') as to_currency,
        {{ mrr_try_cast('rate', 'decimal') }} as rate,
        {{ mrr_unparseable_reason('fx_rates', [['rate_date', 'date']]) }} as unparseable_key_reason,
        -- The raw text of a rate that does not parse: it counts as a rate of its own
        -- when the rows of a key are compared, so it is never taken for a copy.
        case
            when {{ mrr_unparseable_reason('fx_rates', [['rate', 'decimal']]) }} is not null
                then trim(cast(rate as {{ dbt.type_string() }}))
        end as unparseable_rate
    from source
),

keyed as (
    select
        *,
        case
            when rate_date is not null and from_currency is not null and to_currency is not null
                then {{ dbt.concat(record_id_parts) }}
        end as record_id
    from cleaned
),

-- A key with a missing part is not a key: each such row is its own record.
unkeyed_records as (
    select
        record_id,
        rate_date,
        from_currency,
        to_currency,
        rate,
        unparseable_key_reason,
        unparseable_rate,
        1 as raw_rows,
        0 as distinct_rates
    from keyed
    where record_id is null
),

keyed_records as (
    select
        record_id,
        rate_date,
        from_currency,
        to_currency,
        -- min() keeps decimal(38, 12) on DuckDB but returns unconstrained numeric on
        -- Postgres: cast so the column has the same type on every warehouse.
        cast(min(rate) as {{ mrr_amount_type() }}) as rate,
        cast(null as {{ dbt.type_string() }}) as unparseable_key_reason,
        max(unparseable_rate) as unparseable_rate,
        count(*) as raw_rows,
        -- A missing rate is a value of its own too (count(distinct) skips nulls): a
        -- row without a rate beside a row with one is a conflict, not a copy.
        count(distinct rate) + count(distinct unparseable_rate)
        + max(case when rate is null and unparseable_rate is null then 1 else 0 end) as distinct_rates
    from keyed
    where record_id is not null
    group by record_id, rate_date, from_currency, to_currency
),

records as (
    select * from unkeyed_records
    union all
    select * from keyed_records
),

final as (
    select
        record_id,
        rate_date,
        from_currency,
        to_currency,
        rate,
        -- Identical copies are set aside first, as in every table; of what is left, a
        -- key with several different rates has one row per rate, all rejected: one
        -- audit row for the key, the other rows counted here as conflicting_rows.
        greatest(raw_rows - greatest(distinct_rates, 1), 0) as duplicate_copies,
        case when distinct_rates > 1 then distinct_rates - 1 else 0 end as conflicting_rows,
        0 as superseded_versions,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        case
            when unparseable_key_reason is not null then unparseable_key_reason
            when record_id is null then 'missing key'
            when unparseable_rate is not null then 'unparseable rate'
            when distinct_rates > 1 then 'conflicting rates'
            when rate is null or rate <= 0 then 'non-positive rate'
        end as rejection_reason
    from records
)

select * from final
