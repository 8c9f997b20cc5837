{#- Var billing_source, validated: `billing` (the raw contract's tables) or `stripe`. -#}
{% macro mrr_billing_source_name() -%}
    {%- set raw = var('billing_source', 'billing') -%}
    {%- set value = (raw | string | trim | lower) if raw is not none else 'billing' -%}
    {%- if value not in ('billing', 'stripe') -%}
        {{ exceptions.raise_compiler_error("var 'billing_source' must be billing or stripe, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
