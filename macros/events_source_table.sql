{#- The name the events are accounted under in the audit models: `subscription_events`,
    or `ga4_events` with billing_source ga4. -#}
{% macro events_source_table() -%}
    {{- return('ga4_events' if mrr_billing_source_name() == 'ga4' else 'subscription_events') -}}
{%- endmacro %}
