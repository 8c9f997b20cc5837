{#- Var billing_source, validated: `billing` (the raw contract's tables), `stripe`,
    `events` (a table of subscription events) or `ga4` (GA4's BigQuery export). -#}
{% macro mrr_billing_source_name() -%}
    {%- set raw = var('billing_source', 'billing') -%}
    {%- set value = (raw | string | trim | lower) if raw is not none else 'billing' -%}
    {%- if value not in ('billing', 'stripe', 'events', 'ga4') -%}
        {{ exceptions.raise_compiler_error("var 'billing_source' must be billing, stripe, events or ga4, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
