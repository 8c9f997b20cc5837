{#-
    Stripe writes every amount as an integer in the currency's minor unit
    (docs/stripe.md). To get major units, as the raw contract
    expects: divide by 1 for Stripe's zero-decimal currencies, 1000 for the three-decimal
    ones, 100 for every other currency (ISK, HUF and TWD included: Stripe keeps
    them two-decimal in its API even where only whole units are charged).
-#}
{% macro stripe_zero_decimal_currencies() -%}
    {{ return(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']) }}
{%- endmacro %}

{% macro stripe_three_decimal_currencies() -%}
    {{ return(['BHD', 'JOD', 'KWD', 'OMR', 'TND']) }}
{%- endmacro %}

{% macro stripe_minor_unit_factor(currency_column) -%}
    {#- A multiplication by an exact decimal, not a division: dividing a decimal
        gives a float on some warehouses (DuckDB among them). -#}
    case
        when upper(trim({{ currency_column }})) in ('{{ stripe_zero_decimal_currencies() | join("', '") }}') then 1.000
        when upper(trim({{ currency_column }})) in ('{{ stripe_three_decimal_currencies() | join("', '") }}') then 0.001
        else 0.010
    end
{%- endmacro %}

{#- An amount in minor units (integer, or Stripe's decimal string) in major units. -#}
{% macro stripe_major_units(amount_column, currency_column) -%}
    cast(
        cast({{ amount_column }} as {{ mrr_amount_type() }}) * {{ stripe_minor_unit_factor(currency_column) }}
        as {{ mrr_amount_type() }}
    )
{%- endmacro %}

{#- One billing period of a price after `from_column` (for coupons of duration once). -#}
{% macro stripe_add_billing_period(from_column, interval_column, count_column) -%}
    case {{ interval_column }}
        when 'day' then {{ dbt.dateadd('day', count_column, from_column) }}
        when 'week' then {{ dbt.dateadd('day', '7 * ' ~ count_column, from_column) }}
        when 'month' then {{ dbt.dateadd('month', count_column, from_column) }}
        when 'year' then {{ dbt.dateadd('year', count_column, from_column) }}
    end
{%- endmacro %}

{#- A Stripe column named like an SQL keyword (`start`, `end`, `interval`), quoted.
    Fivetran writes upper-case names on Snowflake, where a quoted name is case-sensitive. -#}
{% macro stripe_keyword_column(name) -%}
    {{ adapter.quote(name | upper if target.type == 'snowflake' else name) }}
{%- endmacro %}
