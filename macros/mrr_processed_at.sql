{#- When this dbt invocation started, to the microsecond: stamped on every row a
    base model (re)writes, so a child model can tell which parent rows changed
    since it last ran (two runs never share a microsecond, unlike a second). -#}
{% macro mrr_processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
