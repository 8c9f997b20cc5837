{#- Var reporting_currency as a SQL string literal, e.g. 'USD'. -#}
{% macro mrr_reporting_currency() -%}
    '{{ mrr_reporting_currency_code() }}'
{%- endmacro %}
