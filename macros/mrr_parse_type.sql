{#- The SQL type a raw column of this kind (integer, decimal, timestamp, date, boolean) is cast to. -#}
{% macro mrr_parse_type(kind) -%}
    {%- set types = {
        'integer': dbt.type_int(),
        'decimal': mrr_amount_type(),
        'timestamp': dbt.type_timestamp(),
        'date': 'date',
        'boolean': dbt.type_boolean(),
    } -%}
    {%- if kind not in types -%}
        {{ exceptions.raise_compiler_error("mrr_try_cast: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
    {{- return(types[kind]) -}}
{%- endmacro %}
