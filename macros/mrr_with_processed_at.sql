{#-
    The last step of a base model: its records with two run stamps.
      processed_at  when this row was last written (the run's start): every row an
                    incremental run re-reads is written again, and a child compares
                    its parents with the newest of these (its own last run).
      changed_at    when the row's content last changed. A row an incremental run
                    re-reads and rebuilds exactly as stored (every column equal,
                    nulls included) keeps the changed_at it had, so an unchanged
                    parent never makes its children be re-read: a copy or an older
                    version delivered late costs its own record's rows only
                    (docs/nightly.md).
    On a full build every row is new: both stamps are the run's start.
-#}
{% macro mrr_with_processed_at(relation) -%}
    {#- Unit tests have no `this`: they test the full build. -#}
    {%- if this is not none and is_incremental() %}
        {#- The stored table's own columns (on_schema_change: fail keeps them the
            model's), so no column can be left out of the comparison. -#}
        {%- set stamps = ['processed_at', 'changed_at'] %}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name')
            | map('lower') | reject('in', stamps) | list %}
    select
        {{ relation }}.*,
        {{ mrr_processed_at() }} as processed_at,
        case
            when
                previous.record_id is not null
                {%- for column in columns %}
                and {{ mrr_null_safe_equal(relation ~ '.' ~ column, 'previous.' ~ column) }}
                {%- endfor %}
                then previous.changed_at
            else {{ mrr_processed_at() }}
        end as changed_at
    from {{ relation }}
    left join {{ this }} as previous
        on {{ relation }}.record_id = previous.record_id
    {%- else %}
    select
        *,
        {{ mrr_processed_at() }} as processed_at,
        {{ mrr_processed_at() }} as changed_at
    from {{ relation }}
    {%- endif %}
{%- endmacro %}
