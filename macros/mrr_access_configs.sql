{#-
    Configs that read vars, set by the models themselves: in dbt_project.yml dbt
    renders configs with command-line vars only, so a consumer's `vars: mrr:` would
    not reach them (docs/package.md). Called from each model's config().
-#}

{#- The base models: incremental where delete+insert is available (DuckDB,
    PostgreSQL); Spark and Databricks rebuild them as tables, and so does the Stripe
    path: Fivetran hard-deletes items and discounts, and a coupon re-cuts items whose
    own rows did not change (docs/stripe.md, hard deletes). -#}
{% macro mrr_base_materialized() -%}
    {%- set incremental = target.type in ('duckdb', 'postgres') and mrr_billing_source_name() != 'stripe' -%}
    {{- return('incremental' if incremental else 'table') -}}
{%- endmacro %}

{#- What BI reads (marts, the semantic layer's time spine): the reader role. No
    role, no grants at all: an empty select list would still make dbt list the
    grants of every relation, which a Spark without table access control cannot do. -#}
{% macro mrr_reader_grants() -%}
    {{- return({'select': [var('mrr_reader_role')]} if var('mrr_reader_role', none) else {}) -}}
{%- endmacro %}

{#- Personal data (models/marts/restricted): the restricted role only; an empty
    select list when only the reader role is set, so dbt revokes the reader's. -#}
{% macro mrr_restricted_grants() -%}
    {%- if var('mrr_restricted_role', none) -%}
        {{- return({'select': [var('mrr_restricted_role')]}) -}}
    {%- endif -%}
    {{- return({'select': []} if var('mrr_reader_role', none) else {}) -}}
{%- endmacro %}
