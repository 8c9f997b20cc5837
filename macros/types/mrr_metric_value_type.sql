{#- One type for every monthly figure in long form (fct_monthly_metrics and the
    closing models): amounts (6 decimals), counts and ratios (10 decimals) all fit
    without loss. -#}
{% macro mrr_metric_value_type() -%}
    {{ return(adapter.dispatch('mrr_metric_value_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_metric_value_type() -%}
    decimal(38, 10)
{%- endmacro %}
