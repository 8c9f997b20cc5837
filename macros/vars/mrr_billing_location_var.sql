{#-
    billing_database / billing_schema: where the raw tables are. They are pasted
    into every query that reads a raw table, so only plain identifiers pass:
    letters, digits, _ and $ (and - for BigQuery-style project names), nothing
    that could close a quoted name or start another statement. Null or blank
    means the default (where `dbt seed` puts the demo data).
-#}
{% macro mrr_billing_location_var(name) -%}
    {%- set raw = var(name, none) -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set value = raw | string -%}
    {%- if not modules.re.match('^[A-Za-z0-9_][A-Za-z0-9_$-]*$', value) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a plain identifier (letters, digits, _ $ -), got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
