{#-
    amount x percent / 100 as decimal(38, 12), rounded half away from zero at the
    12th decimal: what cast(amount * percent * 0.01 as decimal(38, 12)) gives. The
    share of an item's list value left after its percentage discount (spec
    section 3), for a percent between 0 and 100.

    Why a macro: that product of two decimal(38, 12) values carries 26 decimals
    and overflows once the amount reaches 10^12 (a price times a quantity, in the
    plan's currency: 10^9 metered units at 1,000 IDR): an error on DuckDB, a null
    on Spark. Below 10^11 the plain product is exact and kept; above,
    mrr_exact_product gives the same digits without overflowing.
-#}
{% macro mrr_percent_of(amount, percent) -%}
    case
        when abs({{ amount }}) < 100000000000
            then cast(({{ amount }}) * ({{ percent }}) * 0.01 as {{ mrr_amount_type() }})
        else {{ mrr_exact_product(amount, percent, 2) }}
    end
{%- endmacro %}
