{#-
    Grants of what BI reads (the marts, the semantic layer's time spine), set in
    each model's config() because they read a var (docs/package.md): select to the
    reader role. No role, no grants at all: an empty select list would still make
    dbt list the grants of every relation, which a Spark without table access
    control cannot do.
-#}
{% macro mrr_reader_grants() -%}
    {{- return({'select': [var('mrr_reader_role')]} if var('mrr_reader_role', none) else {}) -}}
{%- endmacro %}
