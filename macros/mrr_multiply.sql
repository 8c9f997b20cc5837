{#-
    amount x rate as the pipeline's decimal(38, 12), rounded half away from zero at
    the 12th decimal: what cast(amount * rate as decimal(38, 12)) gives. Used to
    convert amounts to the reporting currency.

    Why a macro: on DuckDB the product of two decimal(38, 12) values has 24
    decimals, and bringing it back to 12 divides a 128-bit integer in software,
    for every invoice line (most of the CPU of int_invoice_lines_converted at
    scale). When the amount, the
    rate and the product are all below a million in size, both factors fit 64-bit
    integers of 10^-12 units (macros/mrr_duckdb_amount_units.sql) and the product is
    divided in 64 bits instead: a double gives the quotient to within a few hundred
    units, the exact 128-bit product minus that estimate times 10^12 is a small
    remainder, and the remainder corrects and rounds the estimate with 64-bit
    arithmetic. Same digits as the cast: on every invoice line of the benchmark
    data, and in the unit test
    int_invoice_lines_converted__fx_rounds_once_at_12_decimals (halfway
    cases, credits, both sides of a million). Larger values take the cast while
    the amount is below 10^8 and the rate below 10^5 (the product keeps 24
    decimals, so 14 whole digits), and mrr_exact_product beyond, where the cast
    would overflow (an error on DuckDB, a null on Spark); other warehouses the
    same two. For factors of at most 12 decimals, as every amount and rate of the
    pipeline.
-#}
{% macro mrr_multiply(amount, rate) -%}
    {{ return(adapter.dispatch('mrr_multiply', 'mrr')(amount, rate)) }}
{%- endmacro %}

{% macro default__mrr_multiply(amount, rate) -%}
    {#- The product has 24 decimals, so 14 digits before the point. -#}
    case
        when abs({{ amount }}) < 100000000 and abs({{ rate }}) < 100000
            then cast(({{ amount }}) * ({{ rate }}) as {{ mrr_amount_type() }})
        else {{ mrr_exact_product(amount, rate) }}
    end
{%- endmacro %}

{% macro duckdb__mrr_multiply(amount, rate) -%}
    {%- set amount_units = mrr_duckdb_amount_units(amount) -%}
    {%- set rate_units = mrr_duckdb_amount_units(rate) -%}
    {#- |amount x rate| < 10^6, so the quotient is below 10^18 units and the double
        (53 bits) misses it by at most about 250 units: the remainder stays below
        10^15 in size and fits a bigint. Rounded, the quotient can reach 10^18,
        hence decimal(38, 0) below. -#}
    {%- set estimate = 'cast(cast(' ~ amount_units ~ ' as double) * cast(' ~ rate_units ~ ' as double) * 1e-12 as bigint)' -%}
    {%- set remainder = 'cast(cast(' ~ amount_units ~ ' as hugeint) * ' ~ rate_units ~ ' - cast(' ~ estimate
        ~ ' as hugeint) * 1000000000000 as bigint)' -%}
    {#- round(remainder / 10^12) half up, as a floor division of a positive bigint:
        the offset of 1000 x 2 x 10^12 keeps the numerator positive. -#}
    {%- set correction = '((2 * ' ~ remainder ~ ' + 1000000000000 + 2000000000000000) // 2000000000000 - 1000)' -%}
    case
        when
            {{ mrr_duckdb_is_small_amount(amount) }}
            and {{ mrr_duckdb_is_small_amount(rate) }}
            and abs(({{ amount }}) * ({{ rate }})) < 1000000
            then cast(
                sign({{ amount }}) * sign({{ rate }})
                * cast({{ estimate }} + {{ correction }} as decimal(38, 0))
                * 0.000000000001
                as {{ mrr_amount_type() }}
            )
        {#- Larger values: what every other warehouse does. #}
        else {{ default__mrr_multiply(amount, rate) }}
    end
{%- endmacro %}
