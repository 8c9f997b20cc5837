{#- Var mrr_include_trials (default false): true counts trials at their list value. -#}
{% macro mrr_include_trials() -%}
    {{- return(mrr_bool_var('mrr_include_trials', false)) -}}
{%- endmacro %}
