{#- `reason` as a SQL string literal; a compile error when it is not in the list for `source_table`. -#}
{% macro mrr_rejection_reason(source_table, reason) -%}
    {%- if reason not in mrr_rejection_reasons().get(source_table, []) -%}
        {{ exceptions.raise_compiler_error("rejection reason '" ~ reason ~ "' is not listed for " ~ source_table
            ~ " in macros/mrr_rejection_reasons.sql") }}
    {%- endif -%}
    '{{ reason }}'
{%- endmacro %}
