{#-
    The raw billing table `table_name` (one of the seven tables of the raw contract).

    With var billing_source `billing` (the default) this is dbt source `billing`.
    With the default vars the source is the demo seeds, but dbt cannot know that a
    source is filled by a seed: a plain `dbt build` on a fresh database would run
    the models before the seeds. So, only while the source points at the seeds,
    the model also refs the seed, which orders it after `dbt seed`. With your own
    raw tables (var billing_schema or billing_database set) there is no such ref.

    With billing_source `stripe` it is the model of models/staging/stripe that maps
    Fivetran's Stripe tables to that raw table (docs/stripe.md), so every model
    downstream reads the same columns whichever system the data comes from.
-#}
{% macro mrr_billing_source(table_name) -%}
    {%- if mrr_billing_source_name() == 'stripe' -%}
        {{ ref('stg_stripe__' ~ table_name) }}
    {%- else -%}
        {%- if var('billing_schema', none) is none and var('billing_database', none) is none -%}
            {%- do ref(table_name) -%}
        {%- endif -%}
        {{ source('billing', table_name) }}
    {%- endif -%}
{%- endmacro %}
