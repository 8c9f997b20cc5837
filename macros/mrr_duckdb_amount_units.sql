{#-
    A DuckDB amount below a million in size (macros/mrr_duckdb_is_small_amount.sql)
    as a bigint count of 10^-12 units of its absolute value: its whole part times
    10^12 plus its fraction scaled to 12 digits. decimal(18, 12) holds the value in
    64 bits; the fraction, below 10^12 units, goes through a double and back
    exactly (a double holds integers to 2^53, and the round trip errs by under
    10^-3 unit). For mrr_divide and mrr_multiply, which then work in 64 bits where
    DuckDB would divide 128-bit integers in software.
-#}
{% macro mrr_duckdb_amount_units(amount) -%}
    {%- set small = 'cast(abs(' ~ amount ~ ') as ' ~ mrr_duckdb_small_amount_type() ~ ')' -%}
    (cast(trunc({{ small }}) as bigint) * 1000000000000 + cast(round(cast({{ small }} - trunc({{ small }}) as double) * 1e12) as bigint))
{%- endmacro %}
