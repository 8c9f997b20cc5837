{#-
    A 64-bit hash of the values of `expressions` on one row, as a whole number, for
    checks that compare two multisets of rows by summing their fingerprints in one
    scan (tests/generic/mrr_series_is_chained.sql) instead of joining or sorting
    them. Rows that differ in any value get different fingerprints except with a
    chance of about 2^-64. Dispatched: each warehouse has its own hash function.
    Callers pass the same types on both sides they compare (a date is hashed
    differently from a timestamp of the same day).
-#}
{% macro mrr_row_fingerprint(expressions) -%}
    {{ return(adapter.dispatch('mrr_row_fingerprint', 'mrr')(expressions)) }}
{%- endmacro %}

{#- PostgreSQL: hashtextextended over the values as text, separated by a control
    character no value contains; a null is written as a text no value equals. -#}
{% macro default__mrr_row_fingerprint(expressions) -%}
    hashtextextended(concat_ws(chr(31)
        {%- for expression in expressions -%}
        , coalesce(cast({{ expression }} as text), chr(30))
        {%- endfor -%}
    ), 0)
{%- endmacro %}

{% macro duckdb__mrr_row_fingerprint(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{#- Spark and Databricks. -#}
{% macro spark__mrr_row_fingerprint(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}
