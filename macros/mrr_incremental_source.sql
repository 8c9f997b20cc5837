{#-
    The raw rows a base model reads. A full build reads them all; an incremental
    run reads only the rows of the keys that may have changed (mrr_changed_keys),
    all of their versions, so copies and superseded versions are counted again
    from scratch, plus every row without a key (mrr_delete_unkeyed_records).

    The trimmed key is computed once per raw row, in a subquery, and the filter
    reads that column: written as `raw_key is null or raw_key in (...)`, DuckDB
    trimmed every raw row twice and carried all of them through the `in`, which
    is most of a quiet night's base model at scale; same rows either way. The
    extra column `mrr_raw_key` is read by no model (they select
    their columns by name).
-#}
{% macro mrr_incremental_source(source_relation, raw_key, cascades=[], rate_lookup=none) -%}
    {#- Unit tests have no `this`: they test the full build. -#}
    {%- if this is not none and is_incremental() %}
    select *
    from (
        select
            *,
            {{ raw_key }} as mrr_raw_key
        from {{ source_relation }}
    ) as keyed_rows
    where
        mrr_raw_key is null
        or mrr_raw_key in (
            {{ mrr_changed_keys(source_relation, raw_key, cascades, rate_lookup) | indent(12) }}
        )
    {%- else %}
    select * from {{ source_relation }}
    {%- endif %}
{%- endmacro %}
