{#-
    On DuckDB, amount x factor / 10^shift as decimal(38, 12), rounded half away
    from zero at the 12th decimal, exactly and for large values: the path that
    mrr_multiply and mrr_percent_of take where DuckDB's own decimal product would
    overflow. DuckDB gives the product of two decimal(38, 12) values 24 decimals
    (26 after "* 0.01"), which leaves 14 (12) digits for the whole part: an item of
    10^9 units at 1,000 IDR each stopped the build ("Overflow in multiplication of
    DECIMAL(38)") although nothing in it is out of range.

    In 128-bit integers instead: the amount's whole part `w` and its fraction in
    10^-12 units `f` (below 10^12), the factor in 10^-12 units `u`. Then the result
    in 10^-12 units is w*u / 10^shift + f*u / 10^(12+shift); the first quotient is
    split into its integer part and remainder so that only one division rounds.
    Holds while w*u stays below 1.7 * 10^38 (an amount of 10^24 times a factor of
    100, or 10^20 times a rate of 10^6) and the factor has at most 12 decimals, as
    every amount, rate and percentage of the pipeline.
-#}
{% macro mrr_duckdb_exact_product(amount, factor, shift=0) -%}
    {%- set whole = 'cast(trunc(abs(' ~ amount ~ ')) as hugeint)' -%}
    {%- set fraction = 'cast((abs(' ~ amount ~ ') - trunc(abs(' ~ amount ~ '))) * 1000000000000 as hugeint)' -%}
    {%- set factor_units = 'cast(abs(' ~ factor ~ ') * 1000000000000 as hugeint)' -%}
    {%- set scale = '1' ~ '0' * shift -%}
    {%- set whole_product = '(' ~ whole ~ ' * ' ~ factor_units ~ ')' -%}
    cast(
        sign({{ amount }}) * sign({{ factor }})
        * cast(
            {{ whole_product }} // {{ scale }}
            + (
                ({{ whole_product }} % {{ scale }}) * 1000000000000
                + {{ fraction }} * {{ factor_units }}
                + 5{{ '0' * (11 + shift) }}
            ) // 1{{ '0' * (12 + shift) }}
            as decimal(38, 0)
        )
        * 0.000000000001
        as {{ mrr_amount_type() }}
    )
{%- endmacro %}
