{#- A hook statement: after a table is written, refresh the planner's statistics
    on it. PostgreSQL plans each model when it starts, and autovacuum analyses a
    new table only later: a model over tables just built would be planned as if
    each held one row, with nested loops that rescan a join once per row
    (int_subscription_items_converted on the demo). DuckDB and Spark keep their
    statistics as they write. -#}
{% macro mrr_refresh_statistics() %}
    {{- return(adapter.dispatch('mrr_refresh_statistics', 'mrr')()) -}}
{% endmacro %}

{% macro default__mrr_refresh_statistics() %}
    {{- return('') -}}
{% endmacro %}

{% macro postgres__mrr_refresh_statistics() %}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        {{- return('analyze ' ~ this) -}}
    {%- endif -%}
    {{- return('') -}}
{% endmacro %}
