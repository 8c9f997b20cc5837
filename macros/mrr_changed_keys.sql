{#-
    A select of the keys to re-read in an incremental run of a base model: every
    record key whose latest version, copies or disposition may have changed since
    the table was last built, so the model re-ranks all raw rows of exactly these
    keys (docs/decisions.md, "Incremental runs").
      1. Raw rows that are new: updated_at later than the watermark minus var
         mrr_lookback_days. The watermark is the newest version already processed
         in any base table (mrr_processed_watermark), not in this table alone: a
         quiet table (plans, changed once years ago) then re-reads nothing, where
         its own newest version would keep a window years old open every night.
         Rows that arrive late with an older updated_at are caught within the
         lookback; later than that they show in audit_raw_row_accounting as
         `arrived after lookback`. A row whose updated_at is missing or does not
         parse is always re-read, and so is every row of a table never built.
      2. Cascades: records of this table whose parent record (column `fk` of this
         table, parent base model `parent`) changed since this table last ran
         (the parent's changed_at, which a parent rebuilt exactly as stored keeps:
         macros/mrr_with_processed_at.sql), e.g. an invoice whose customer was
         flagged as a test account.
      3. FX: records whose rate (the latest rate on or before their rate date,
         spec section 3) is not the one they were built with: a corrected or new
         rate. `rate_lookup` is the SQL of each record's rate date in this table.
    `source_relation` is the raw table, `raw_key` the SQL of its trimmed key.
-#}
{% macro mrr_changed_keys(source_relation, raw_key, cascades=[], rate_lookup=none) -%}
    {%- set updated_at = mrr_try_cast('updated_at', 'timestamp') -%}
    select {{ raw_key }} as record_id
    from {{ source_relation }}
    where
        {{ updated_at }} is null
        or {{ updated_at }} > (
            select {{ dbt.dateadd('day', -1 * mrr_lookback_days(), 'max(newest_version)') }}
            from ({{ mrr_processed_watermark() | indent(12) }}) as processed
        )
        or (select count(updated_at) from {{ this }} where updated_at <= {{ mrr_processed_at() }}) = 0
    {%- for fk, parent in cascades %}
    union
    select previous.record_id
    from {{ this }} as previous
    inner join {{ ref('mrr', parent) }} as parent_records
        on previous.{{ fk }} = parent_records.record_id
    where parent_records.changed_at > (select max(processed_at) from {{ this }})
    {%- endfor %}
    {%- if rate_lookup is not none %}
    union
    select previous_rates.record_id
    from (
        select
            record_id,
            currency,
            {{ rate_lookup }} as rate_lookup_date,
            fx_rate_to_reporting
        from {{ this }}
    ) as previous_rates
    inner join ({{ mrr_fx_rates_for('(select distinct currency, ' ~ rate_lookup ~ ' as rate_lookup_date from ' ~ this ~ ') as rate_dates') }}) as current_rates
        on
            previous_rates.currency = current_rates.currency
            and previous_rates.rate_lookup_date = current_rates.rate_lookup_date
    where not {{ mrr_null_safe_equal('previous_rates.fx_rate_to_reporting', 'current_rates.fx_rate_to_reporting') }}
    {%- endif %}
{%- endmacro %}

