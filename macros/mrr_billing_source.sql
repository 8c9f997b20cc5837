{#-
    The raw billing table `table_name` (dbt source `billing`).

    With the default vars the source is the demo seeds, but dbt cannot know that a
    source is filled by a seed: a plain `dbt build` on a fresh database would run
    the models before the seeds. So, only while the source points at the seeds,
    the model also refs the seed, which orders it after `dbt seed`. With your own
    raw tables (var billing_schema or billing_database set) there is no such ref.
-#}
{% macro mrr_billing_source(table_name) -%}
    {%- if var('billing_schema', none) is none and var('billing_database', none) is none -%}
        {%- do ref(table_name) -%}
    {%- endif -%}
    {{ source('billing', table_name) }}
{%- endmacro %}
