{#- Var as_of_date as a SQL date literal: the last day of the reporting window. -#}
{% macro mrr_as_of_date() -%}
    cast('{{ mrr_as_of_date_string() }}' as date)
{%- endmacro %}
