{#-
    amount x percent / 100 as decimal(38, 12), rounded half away from zero at the
    12th decimal: what cast(amount * percent * 0.01 as decimal(38, 12)) gives. The
    share of an item's list value left after its percentage discount (spec
    section 3), for a percent between 0 and 100.

    Why a macro: on DuckDB that product of two decimal(38, 12) values carries 26
    decimals and overflows once the amount reaches 10^12 (a price times a quantity,
    in the plan's currency: 10^9 metered units at 1,000 IDR). Below 10^11 DuckDB's
    own product is exact and kept; above, the product is taken in 128-bit integers
    (macros/mrr_duckdb_exact_product.sql), the same digits. Other warehouses
    multiply numerics natively.
-#}
{% macro mrr_percent_of(amount, percent) -%}
    {{ return(adapter.dispatch('mrr_percent_of', 'mrr')(amount, percent)) }}
{%- endmacro %}

{% macro default__mrr_percent_of(amount, percent) -%}
    cast(({{ amount }}) * ({{ percent }}) * 0.01 as {{ mrr_amount_type() }})
{%- endmacro %}

{% macro duckdb__mrr_percent_of(amount, percent) -%}
    case
        when abs({{ amount }}) < 100000000000
            then cast(({{ amount }}) * ({{ percent }}) * 0.01 as {{ mrr_amount_type() }})
        else {{ mrr_duckdb_exact_product(amount, percent, 2) }}
    end
{%- endmacro %}
