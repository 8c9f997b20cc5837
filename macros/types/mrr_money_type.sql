{#- Type of published amounts in the marts: 6 decimals, the spec's MRR rounding. -#}
{% macro mrr_money_type() -%}
    {{ return(adapter.dispatch('mrr_money_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_money_type() -%}
    decimal(28, 6)
{%- endmacro %}
