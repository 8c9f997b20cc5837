{#- Every reason once, for accepted_values. -#}
{% macro mrr_rejection_reason_values() -%}
    {%- set values = [] -%}
    {%- for reasons in mrr_rejection_reasons().values() -%}
        {%- for reason in reasons if reason not in values -%}
            {%- do values.append(reason) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(values) -}}
{%- endmacro %}
