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
