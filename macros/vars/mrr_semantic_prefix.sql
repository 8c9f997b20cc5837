{#-
    Var `mrr_semantic_prefix` (default empty): put before every name MetricFlow
    holds project-wide (models/marts/semantic). Those YAML files read the var
    with var() inline, since dbt calls no macro there; this checks it once at
    parse time (from metricflow_time_spine) so a bad value stops dbt with the
    var's name rather than MetricFlow's complaint about each metric. A name must
    start with a lower-case letter and hold only lower-case letters, digits and
    single underscores: so must the prefix.
-#}
{% macro mrr_semantic_prefix() -%}
    {%- set raw = var('mrr_semantic_prefix', '') -%}
    {%- set value = raw if raw is string else none -%}
    {%- if value is none or not modules.re.match('^([a-z](_?[a-z0-9])*_?)?$', value) -%}
        {{ exceptions.raise_compiler_error("var 'mrr_semantic_prefix' must be empty or lower-case letters, digits and single underscores starting with a letter (such as mrr_), got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
