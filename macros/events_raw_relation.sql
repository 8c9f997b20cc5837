{#- The events as read, one row per raw event. -#}
{% macro events_raw_relation() -%}
    {{ source('events', 'subscription_events') }}
{%- endmacro %}
