{#- Var reporting_currency, trimmed and upper-cased; must be three letters (ISO 4217). -#}
{% macro mrr_reporting_currency_code() -%}
    {%- set raw = var('reporting_currency', 'USD') -%}
    {%- set value = (raw | string | trim | upper) if raw is not none else '' -%}
    {%- if not modules.re.match('^[A-Z]{3}$', value) -%}
        {{ exceptions.raise_compiler_error("var 'reporting_currency' must be a three-letter ISO 4217 code such as USD, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
