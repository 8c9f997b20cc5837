{#- The pipeline's 12 decimals in a 64-bit integer: DuckDB's fast path for an
    amount below a million (macros/mrr_duckdb_is_small_amount.sql). -#}
{% macro mrr_duckdb_small_amount_type() -%}
    decimal(18, 12)
{%- endmacro %}
