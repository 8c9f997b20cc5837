{#- Raw table -> base model that holds one row per record of it, with its disposition. -#}
{% macro mrr_base_models() -%}
    {{ return({
        'customers': 'base_billing__customers',
        'plans': 'base_billing__plans',
        'subscriptions': 'base_billing__subscriptions',
        'subscription_items': 'base_billing__subscription_items',
        'invoices': 'base_billing__invoices',
        'invoice_lines': 'base_billing__invoice_lines',
        'fx_rates': 'base_billing__fx_rates',
    }) }}
{%- endmacro %}
