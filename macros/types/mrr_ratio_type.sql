{#- Type of published ratios (retention, quick ratio) in the marts: 10 decimals. -#}
{% macro mrr_ratio_type() -%}
    {{ return(adapter.dispatch('mrr_ratio_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_ratio_type() -%}
    decimal(28, 10)
{%- endmacro %}
