{% macro stripe_minor_unit_factor(currency_column) -%}
    {#- A multiplication by an exact decimal, not a division: dividing a decimal
        gives a float on some warehouses (DuckDB among them). -#}
    case
        when upper(trim({{ currency_column }})) in ('{{ stripe_zero_decimal_currencies() | join("', '") }}') then 1.000
        when upper(trim({{ currency_column }})) in ('{{ stripe_three_decimal_currencies() | join("', '") }}') then 0.001
        else 0.010
    end
{%- endmacro %}
