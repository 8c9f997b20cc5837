{#-
    What an incremental run of a base model has read of its raw table so far, asked
    once when the model compiles (cheap: two counts of the raw table, one scan of
    two counters of the stored table). Returns a dict:
      newest_version     the newest updated_at the stored table holds (any record,
                         future-dated ones included), or none
      out_of_order_rows  raw rows the table has not read that are not newer than
                         newest_version (or have no parseable updated_at)

    Every raw row the table has read is counted by exactly one stored record (the
    winner, a copy or a superseded version: 1 + duplicate_copies +
    superseded_versions), so raw rows - counted rows = rows not yet read. A row
    newer than every stored version cannot have been read (a read row is never
    newer than its record's winner), so the unread rows minus those newer rows are
    the unread rows a filter on updated_at cannot find. Zero: every unread row is
    newer than newest_version. Anything else (rows that arrived late, a raw row
    changed in place or deleted) makes mrr_changed_keys compare every key's rows.
    Raw tables only grow (docs/nightly.md, "Late rows"): a row rewritten in
    place to a version no newer than newest_version, or a row deleted while
    another arrives late, cancels out in this count; such edits need a full
    refresh.
-#}
{% macro mrr_read_state(source_relation) -%}
    {%- if not execute -%}
        {{ return({'newest_version': none, 'out_of_order_rows': 1}) }}
    {%- endif -%}
    {%- set updated_at = mrr_try_cast('updated_at', 'timestamp') -%}
    {%- set query -%}
        select
            (select count(*) from {{ source_relation }})
            - (select count(*) from {{ source_relation }} where {{ updated_at }} > (select max(updated_at) from {{ this }}))
            - (select coalesce(sum(1 + duplicate_copies + superseded_versions), 0) from {{ this }})
            as out_of_order_rows,
            (select max(updated_at) from {{ this }}) as newest_version
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- set newest = row[1] -%}
    {%- if newest is string -%}
        {%- set newest = modules.datetime.datetime.fromisoformat(newest) -%}
    {%- endif -%}
    {%- if newest is not none and newest.tzinfo is not none -%}
        {%- set newest = newest.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{ return({'newest_version': newest, 'out_of_order_rows': row[0] | int}) }}
{%- endmacro %}
