{#- A boolean var, validated: the shared check behind mrr_include_trials and mrr_apply_discounts. -#}
{% macro mrr_bool_var(name, default, old_name=none) -%}
    {#- Accepts YAML booleans and the strings true/false (any case), nothing else.
        old_name: the var's name before it took the mrr_ prefix, read when the
        new one is unset (for one release). -#}
    {%- set raw = var(name, none) -%}
    {%- if raw is none -%}
        {%- set raw = var(old_name, default) if old_name else default -%}
    {%- endif -%}
    {%- if raw is sameas true or raw is sameas false -%}
        {{- return(raw) -}}
    {%- endif -%}
    {%- set text = (raw | string | trim | lower) -%}
    {%- if text == 'true' -%}
        {{- return(true) -}}
    {%- elif text == 'false' -%}
        {{- return(false) -}}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be true or false, got '" ~ raw ~ "'") }}
{%- endmacro %}
