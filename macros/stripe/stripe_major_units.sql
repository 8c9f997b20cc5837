{#- An amount in minor units (integer, or Stripe's decimal string) in major units. -#}
{% macro stripe_major_units(amount_column, currency_column) -%}
    cast(
        cast({{ amount_column }} as {{ mrr_amount_type() }}) * {{ stripe_minor_unit_factor(currency_column) }}
        as {{ mrr_amount_type() }}
    )
{%- endmacro %}
