{#- The events as read, one row per raw event: the table `subscription_events`, or,
    with billing_source ga4, the GA4 day tables in its columns. -#}
{% macro events_raw_relation() -%}
    {%- if mrr_billing_source_name() == 'ga4' -%}
        {{ ref('mrr', 'stg_ga4__subscription_events') }}
    {%- else -%}
        {{ source('events', 'subscription_events') }}
    {%- endif -%}
{%- endmacro %}
