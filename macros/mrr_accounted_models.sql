{#-
    Raw table -> the model with one row per record of it and its disposition, for
    the audit models. With the native tables or Stripe: the base models. With
    subscription events the six tables derived from the events are not raw rows
    anyone delivered: the events are accounted for instead, beside fx_rates (docs/events.md). A derived record the base models
    reject would be a mapping bug: assert_event_tables_reject_nothing fails on it.
-#}
{% macro mrr_accounted_models() -%}
    {%- if mrr_billing_source_name() in ('events', 'ga4') -%}
        {{ return({
            events_source_table(): 'base_events__subscription_events',
            'fx_rates': 'base_billing__fx_rates',
        }) }}
    {%- endif -%}
    {{ return(mrr_base_models()) }}
{%- endmacro %}
