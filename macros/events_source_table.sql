{#- The name the events are accounted under in the audit models. -#}
{% macro events_source_table() -%}
    {{- return('subscription_events') -}}
{%- endmacro %}
