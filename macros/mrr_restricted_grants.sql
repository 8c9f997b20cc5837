{#-
    Grants of the restricted models (personal data, models/marts/restricted): the
    restricted role only; an empty select list when only the reader role is set, so
    dbt revokes the reader's select there.
-#}
{% macro mrr_restricted_grants() -%}
    {%- if var('mrr_restricted_role', none) -%}
        {{- return({'select': [var('mrr_restricted_role')]}) -}}
    {%- endif -%}
    {{- return({'select': []} if var('mrr_reader_role', none) else {}) -}}
{%- endmacro %}
