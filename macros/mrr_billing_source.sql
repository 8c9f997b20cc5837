{#-
    The raw billing table `table_name` (dbt source `billing`).

    With the default vars the source is the demo seeds, but dbt cannot know that a
    source is filled by a seed: a plain `dbt build` on a fresh database would run
    the models before the seeds. So, only while the source points at the seeds,
    the model also refs the seed, which orders it after `dbt seed`. With your own
    raw tables (var billing_schema or billing_database set) there is no such ref.
    Both vars are validated here, so a bad one stops even `dbt compile`.
-#}
{% macro mrr_billing_source(table_name) -%}
    {%- set billing_database = mrr_billing_location_var('billing_database') -%}
    {%- set billing_schema = mrr_billing_location_var('billing_schema') -%}
    {%- if billing_schema is none and billing_database is none -%}
        {%- do ref(table_name) -%}
    {%- endif -%}
    {{ source('billing', table_name) }}
{%- endmacro %}
