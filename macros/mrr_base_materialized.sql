{#-
    The base models' materialization, set in each one's config(): dbt_project.yml
    sees command-line vars only, not a consumer's `vars: mrr:` (docs/package.md).
    Incremental where delete+insert is available (DuckDB, PostgreSQL); Spark and
    Databricks rebuild them as tables, and so do the Stripe path (Fivetran
    hard-deletes items and discounts, and a coupon re-cuts items whose own rows did
    not change: docs/stripe.md, hard deletes) and the events paths (a late event
    re-cuts the item versions of its subscription: docs/events.md).
-#}
{% macro mrr_base_materialized() -%}
    {%- set incremental = target.type in ('duckdb', 'postgres') and mrr_billing_source_name() == 'billing' -%}
    {{- return('incremental' if incremental else 'table') -}}
{%- endmacro %}
