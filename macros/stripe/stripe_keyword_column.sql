{#- A Stripe column named like an SQL keyword (`start`, `end`, `interval`), quoted.
    Fivetran writes upper-case names on Snowflake, where a quoted name is case-sensitive. -#}
{% macro stripe_keyword_column(name) -%}
    {{ adapter.quote(name | upper if target.type == 'snowflake' else name) }}
{%- endmacro %}
