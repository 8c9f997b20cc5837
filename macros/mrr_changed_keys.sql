{#-
    A select of the keys to re-read in an incremental run of a base model: every
    record key whose latest version, copies or disposition may have changed since
    the table was last built, so the model re-ranks all raw rows of exactly these
    keys (docs/nightly.md). Every raw row the table has not read is found, however
    late it arrived; a night with nothing new returns no key.
      1. New raw rows: updated_at later than the newest version the table holds
         (mrr_read_state, a literal, so the filter reaches the scan).
      2. Unread rows that are not newer (delivered late, a connector's re-sync):
         only when mrr_read_state counts any, the keys whose raw rows differ in
         number, or in newest version, from the rows their stored record was built
         from (1 + duplicate_copies + superseded_versions), and keys not stored
         yet. One aggregate of the raw table by key and one hash join with the
         stored table; a night whose rows all arrive in order skips it.
      3. Cascades: records of this table whose parent record (column `fk` of this
         table, parent base model `parent`) changed since this table last ran
         (the parent's changed_at, which a parent rebuilt exactly as stored keeps:
         macros/mrr_with_processed_at.sql), e.g. an invoice whose customer was
         flagged as a test account.
      4. FX: records whose rate (the latest rate on or before their rate date,
         spec section 3) is not the one they were built with: a corrected or new
         rate. `rate_lookup` is the SQL of each record's rate date in this table.
    `source_relation` is the raw table, `raw_key` the SQL of its trimmed key.
    Rows without a key are not keys: mrr_incremental_source re-reads them all.
-#}
{% macro mrr_changed_keys(source_relation, raw_key, cascades=[], rate_lookup=none) -%}
    {%- set updated_at = mrr_try_cast('updated_at', 'timestamp') -%}
    {%- set read_state = mrr_read_state(source_relation) -%}
    {%- set newest = read_state['newest_version'] -%}
    select {{ raw_key }} as record_id
    from {{ source_relation }}
    {%- if newest is none %}
    where {{ updated_at }} is not null
    {%- else %}
    where {{ updated_at }} > cast('{{ newest.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    {%- endif %}
    {%- if read_state['out_of_order_rows'] != 0 %}
    union
    select raw_versions.record_id
    from (
        select
            record_id,
            count(*) as raw_rows,
            max(updated_at) as newest_version
        from (
            select
                {{ raw_key }} as record_id,
                {{ updated_at }} as updated_at
            from {{ source_relation }}
        ) as keyed_rows
        where record_id is not null
        group by record_id
    ) as raw_versions
    left join {{ this }} as previous
        on raw_versions.record_id = previous.record_id
    where
        previous.record_id is null
        or raw_versions.raw_rows != 1 + previous.duplicate_copies + previous.superseded_versions
        or not {{ mrr_null_safe_equal('raw_versions.newest_version', 'previous.updated_at') }}
    {%- endif %}
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

