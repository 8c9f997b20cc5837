{#-
    The text type the contracts declare (`varchar`; `string` on Spark and
    Databricks, which have no varchar without a length). dbt.type_string() is
    `text` on PostgreSQL: an incremental model with a contract must cast its text
    columns to this type, or its second run fails on_schema_change (the new rows
    say text, the table says character varying). Identical on DuckDB, where
    varchar and text are one type.
-#}
{% macro mrr_string_type() -%}
    {{ return(adapter.dispatch('mrr_string_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_string_type() -%}
    varchar
{%- endmacro %}

{% macro spark__mrr_string_type() -%}
    string
{%- endmacro %}
