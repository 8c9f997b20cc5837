{#- A 64-bit binary float for the few steps that need a real power or root
    (compound growth): decimal exponents such as 1.0 / 6 are cut to a few
    decimals on some engines, and dbt.type_float() is 32-bit on DuckDB. -#}
{% macro mrr_double_type() -%}
    {{ return(adapter.dispatch('mrr_double_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__mrr_double_type() -%}
    double
{%- endmacro %}
