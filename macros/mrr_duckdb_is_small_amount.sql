{#-
    DuckDB's 64-bit shortcut for amounts, shared by duckdb__mrr_divide and
    duckdb__mrr_round_money. Inside the pipeline an amount is decimal(38, 12), a
    128-bit integer, and DuckDB divides 128-bit integers in software (every
    division, round, trunc or narrowing cast). An amount whose size is below a
    million fits mrr_duckdb_small_amount_type, decimal(18, 12): the same 12
    decimals in a 64-bit integer, where the same arithmetic is a machine instruction.
-#}
{% macro mrr_duckdb_is_small_amount(amount) -%}
    abs({{ amount }}) < 1000000
{%- endmacro %}
