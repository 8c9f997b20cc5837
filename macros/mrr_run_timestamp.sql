{#- When this dbt invocation started (UTC), as a timestamp literal every warehouse reads. -#}
{% macro mrr_run_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
