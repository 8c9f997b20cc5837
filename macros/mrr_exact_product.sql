{#-
    amount x factor / 10^shift as decimal(38, 12), rounded half away from zero at
    the 12th decimal, exact for amounts far beyond what a plain product of two
    decimal(38, 12) values holds: the path mrr_multiply and mrr_percent_of take for
    large values, on every warehouse.

    Why: such a product keeps 24 decimals (26 after "* 0.01"), which leaves 14 (12)
    digits for the whole part. From 10^12 DuckDB stops the build ("Overflow in
    multiplication of DECIMAL(38)") and Spark returns null, which the floor at zero
    of an item's value then turned into 0: an item of 10^9 metered units at 1,000
    IDR each. Here the amount is split at a million, amount = high x 10^6 + low:
      high x factor x 10^(6 - shift) has at most 12 decimals, so it is exact in
        decimal(38, 12) (up to an amount of about 10^20 times a rate of 10^6);
      low x factor / 10^shift is below 10^12 (low is below a million), so its
        24 or 26 decimals fit, and its cast to 12 decimals is the one rounding.
    The first part lies on the 10^-12 grid, so rounding the second alone rounds the
    sum. Worked on absolute values and signed at the end (half away from zero); no
    sign(), which returns a double on Spark. For factors with at most 12 decimals
    and shift 0 (a rate) or 2 (a percentage).
-#}
{% macro mrr_exact_product(amount, factor, shift=0) -%}
    {%- set size = 'abs(' ~ amount ~ ')' -%}
    {%- set high = 'floor(' ~ size ~ ' * 0.000001)' -%}
    {%- set low = '(' ~ size ~ ' - ' ~ high ~ ' * 1000000)' -%}
    {%- set high_scale = '1' ~ '0' * (6 - shift) -%}
    {%- set low_scale = ' * 0.' ~ '0' * (shift - 1) ~ '1' if shift > 0 else '' -%}
    {%- set product -%}
        ({{ high }} * (abs({{ factor }}) * {{ high_scale }})
        + cast({{ low }} * abs({{ factor }}){{ low_scale }} as {{ mrr_amount_type() }}))
    {%- endset -%}
    cast(
        case
            when ({{ amount }} < 0) = ({{ factor }} < 0) then {{ product }}
            else -{{ product }}
        end
        as {{ mrr_amount_type() }}
    )
{%- endmacro %}
