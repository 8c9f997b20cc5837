{#-
    The raw billing table `table_name` (one of the seven tables of the raw contract).

    With var billing_source `billing` (the default) this is dbt source `billing`.
    With the default vars the source is the demo seeds, but dbt cannot know that a
    source is filled by a seed: a plain `dbt build` on a fresh database would run
    the models before the seeds. So, only while the source points at the seeds,
    the model also refs the seed, which orders it after `dbt seed`. With your own
    raw tables (var billing_schema or billing_database set) there is no such ref,
    nor when this project is installed as a package (its seeds are off there).

    With billing_source `stripe` it is the model of models/staging/stripe that maps
    Fivetran's Stripe tables to that raw table (docs/stripe.md), so every model
    downstream reads the same columns whichever system the data comes from.
    With billing_source `events` it is the model of models/staging/events
    that derives that raw table from subscription events (docs/events.md).
    Vars billing_database and billing_schema are validated here, so a bad one stops
    even `dbt compile`.
-#}
{% macro mrr_billing_source(table_name) -%}
    {%- set billing_database = mrr_billing_location_var('billing_database') -%}
    {%- set billing_schema = mrr_billing_location_var('billing_schema') -%}
    {%- if mrr_billing_source_name() == 'stripe' -%}
        {{ ref('mrr', 'stg_stripe__' ~ table_name) }}
    {%- elif mrr_billing_source_name() in ('events', 'ga4') -%}
        {{ ref('mrr', 'stg_events__' ~ table_name) }}
    {%- else -%}
        {%- if billing_schema is none and billing_database is none and mrr_is_standalone() -%}
            {%- do ref('mrr', table_name) -%}
        {%- endif -%}
        {{ source('billing', table_name) }}
    {%- endif -%}
{%- endmacro %}
