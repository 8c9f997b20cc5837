{#- Stands for "no end yet" in range joins; later than any snapshot day. -#}
{% macro mrr_open_end_date() -%}
    cast('9999-12-31' as date)
{%- endmacro %}
