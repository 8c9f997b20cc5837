{#- The names of the tables in a schema (GA4's dataset), read from the warehouse. -#}
{% macro ga4_table_names(database, schema) -%}
    {{ return(adapter.dispatch('ga4_table_names', 'mrr')(database, schema)) }}
{%- endmacro %}
{% macro default__ga4_table_names(database, schema) -%}
    {%- set query -%}
        select table_name from information_schema.tables
        where lower(table_schema) = lower('{{ schema }}') and lower(table_catalog) = lower('{{ database }}')
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{% macro bigquery__ga4_table_names(database, schema) -%}
    {%- set query -%}
        select table_name from `{{ database }}`.`{{ schema }}`.INFORMATION_SCHEMA.TABLES
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
