{#- Whether this invocation builds both customer series marts (fct_mrr,
    fct_mrr_by_plan). Only then may int_series_built_* record their inputs as
    built: a run that leaves one out (`--exclude fct_mrr_by_plan`) keeps the old
    record, so the next run still recomputes what the left-out model missed. -#}
{% macro mrr_series_built_together() -%}
    {%- set selected = selected_resources if selected_resources is defined else [] -%}
    {%- set series = ['fct_mrr', 'fct_mrr_by_plan'] -%}
    {%- for name in series -%}
        {%- if ('model.mrr.' ~ name) not in selected -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}
