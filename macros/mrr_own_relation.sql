{#-
    The warehouse relation of one of this package's own models, looked up without
    ref() (the incremental bookkeeping reads models that run after the caller, so a
    ref would be a cycle), or none while it does not exist yet. Where the model
    lives comes from the parsed graph, so it follows whatever the root project does
    to this package's schemas (+schema, a generate_schema_name override, a custom
    database or alias); `this.schema` would only find models routed beside the
    caller. The package name is a literal on purpose: in an installed package
    `project_name` is the root project's name, not this one's.
-#}
{% macro mrr_own_relation(model_name) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.mrr.' ~ model_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("mrr_own_relation: no model '" ~ model_name ~ "' in package mrr") }}
    {%- endif -%}
    {{- return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}
