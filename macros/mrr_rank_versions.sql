{#-
    Latest-version-wins bookkeeping shared by the base models (spec section 2:
    "the one with the latest updated_at wins; rows equal in key and updated_at
    are identical copies").

    Returns a select over `relation` with three extra columns:
      version_rank        1 on the winning row of each key
      duplicate_copies    on the winner: other rows with the same key and updated_at
      superseded_versions on the winner: rows of the key with an older updated_at
    A null key is never grouped: each such row is its own record (rejected later as
    `missing key`), so no row disappears into someone else's versions.

    The models keep the winners with `version_rank <= 1`, which is `= 1` (row_number
    starts at 1), because PostgreSQL's planner guesses `= 1` on a window's output
    keeps 0.5 % of the rows, i.e. one row: it then nests loops that re-run the next
    join (in base_billing__invoices the FX lookup, macros/mrr_with_fx_rate.sql)
    once per record, slow even for a few hundred records in a nightly run. It guesses a third of the rows for `<= 1` and
    hashes. Other engines plan both alike.

    A window on every engine, DuckDB included: a hash aggregate per key (arg_max of
    the row by updated_at) is not cheaper there. Keys rarely have more than one raw
    row, so the group by shrinks nothing and carries each row's columns through a
    hash table instead of a sort; with the tie count and the null handling this
    macro gives, it cost about three times the window's CPU (docs/decisions.md,
    "Speed").
-#}
{% macro mrr_rank_versions(relation, key_column='record_id', version_column='updated_at') -%}
    {#- One window specification for all three columns, so the rows are partitioned
        and sorted once. With ORDER BY, count(*) runs over the rows up to the current
        one *and its peers* (the standard default frame), so on the winner it counts
        every row that shares the latest updated_at. -#}
    {%- set latest_first -%}
        partition by {{ key_column }} order by {{ version_column }} desc nulls last
    {%- endset -%}
    select
        *,
        case
            when {{ key_column }} is null then 1
            else row_number() over ({{ latest_first }})
        end as version_rank,
        case
            when {{ key_column }} is null then 0
            else count(*) over ({{ latest_first }}) - 1
        end as duplicate_copies,
        case
            when {{ key_column }} is null then 0
            else count(*) over ({{ latest_first }} rows between unbounded preceding and unbounded following)
                - count(*) over ({{ latest_first }})
        end as superseded_versions
    from {{ relation }}
{%- endmacro %}
