{#-
    True when this project is the root project (`make run`, `make test`), false when
    it is installed as a package in another dbt project. Only the demo's conveniences
    ask: the demo seeds and the sources' fallback to them. In a package
    `project_name` is the root project's name, and dbt refuses a root project named
    like one of its packages, so the comparison is exact. YAML configs, which cannot
    call macros, spell out the same comparison.
-#}
{% macro mrr_is_standalone() -%}
    {{- return(project_name == 'mrr') -}}
{%- endmacro %}
