{#- GA4's event_timestamp (microseconds since 1970-01-01, UTC) as a timestamp. -#}
{% macro ga4_timestamp(column) -%}
    {{ return(adapter.dispatch('ga4_timestamp', 'mrr')(column)) }}
{%- endmacro %}

{% macro default__ga4_timestamp(column) -%}
    timestamp_micros({{ column }})
{%- endmacro %}

{% macro duckdb__ga4_timestamp(column) -%}
    make_timestamp({{ column }})
{%- endmacro %}
