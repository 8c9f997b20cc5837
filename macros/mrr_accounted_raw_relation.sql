{#- The raw rows of `source_table` (a key of mrr_accounted_models), counted by the audit. -#}
{% macro mrr_accounted_raw_relation(source_table) -%}
    {%- if source_table in ('subscription_events', 'ga4_events') -%}
        {{ events_raw_relation() }}
    {%- else -%}
        {{ mrr_billing_source(source_table) }}
    {%- endif -%}
{%- endmacro %}
