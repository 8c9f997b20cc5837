{#- The rows of a customer series inside this run's scope (int_series_rebuild_scope):
    a customer whose inputs changed, or a month whose snapshot day moved. -#}
{% macro mrr_in_rebuild_scope(customer_column='customer_id', month_column='month') -%}
    (
        {{ customer_column }} in (
            select rebuild_scope.customer_id
            from {{ ref('mrr', 'int_series_rebuild_scope') }} as rebuild_scope
            where rebuild_scope.customer_id is not null
        )
        or {{ month_column }} in (
            select rebuild_scope.month
            from {{ ref('mrr', 'int_series_rebuild_scope') }} as rebuild_scope
            where rebuild_scope.month is not null
        )
    )
{%- endmacro %}
