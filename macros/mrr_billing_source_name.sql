{#- Var billing_source, validated: `billing` (the raw contract's tables), `stripe`
    or `events` (a table of subscription events). -#}
{% macro mrr_billing_source_name() -%}
    {%- set raw = var('billing_source', 'billing') -%}
    {%- set value = (raw | string | trim | lower) if raw is not none else 'billing' -%}
    {%- if value not in ('billing', 'stripe', 'events') -%}
        {{ exceptions.raise_compiler_error("var 'billing_source' must be billing, stripe or events, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
