{#- Var mrr_apply_discounts (default true): false reports MRR before discounts. -#}
{% macro mrr_apply_discounts() -%}
    {{- return(mrr_bool_var('mrr_apply_discounts', true)) -}}
{%- endmacro %}
