{#-
    Numeric types, named once. Amounts keep 12 decimals inside the pipeline (the
    spec forbids rounding there); marts publish 6 (the spec's MRR rounding) and
    ratios 10. All three are plain decimal types every warehouse accepts.
-#}

{% macro mrr_amount_type() -%}
    {{ return(adapter.dispatch('mrr_amount_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_amount_type() -%}
    decimal(38, 12)
{%- endmacro %}

{% macro mrr_money_type() -%}
    {{ return(adapter.dispatch('mrr_money_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_money_type() -%}
    decimal(28, 6)
{%- endmacro %}

{% macro mrr_ratio_type() -%}
    {{ return(adapter.dispatch('mrr_ratio_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_ratio_type() -%}
    decimal(28, 10)
{%- endmacro %}

{#- Stands for "no end yet" in range joins; later than any snapshot day. -#}
{% macro mrr_open_end_date() -%}
    cast('9999-12-31' as date)
{%- endmacro %}

{#- One type for every monthly figure in long form: amounts (6 decimals), counts
    and ratios (10 decimals) all fit without loss. -#}
{% macro mrr_metric_value_type() -%}
    {{ return(adapter.dispatch('mrr_metric_value_type', 'mrr')()) }}
{%- endmacro %}

{% macro default__mrr_metric_value_type() -%}
    decimal(38, 10)
{%- endmacro %}
