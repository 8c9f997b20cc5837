{#-
    Type of every amount inside the pipeline: 12 decimals, because the spec forbids
    rounding before the marts. The numeric types are named once (here and in
    mrr_money_type, mrr_ratio_type), as plain decimals every warehouse accepts;
    dispatched, so an adapter can override one.
-#}
{% macro mrr_amount_type() -%}
    {{ return(adapter.dispatch('mrr_amount_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_amount_type() -%}
    decimal(38, 12)
{%- endmacro %}
