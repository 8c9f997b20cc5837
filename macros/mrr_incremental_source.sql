{#-
    The raw rows a base model reads. A full build reads them all; an incremental
    run reads only the rows of the keys that may have changed (mrr_changed_keys),
    all of their versions, so copies and superseded versions are counted again
    from scratch, plus every row without a key (mrr_delete_unkeyed_records).
-#}
{% macro mrr_incremental_source(source_relation, raw_key, cascades=[], rate_lookup=none) -%}
    select * from {{ source_relation }}
    {#- Unit tests have no `this`: they test the full build. -#}
    {%- if this is not none and is_incremental() %}
    where
        {{ raw_key }} is null
        or {{ raw_key }} in (
            {{ mrr_changed_keys(source_relation, raw_key, cascades, rate_lookup) | indent(12) }}
        )
    {%- endif %}
{%- endmacro %}
