{#- The identity of a GA4 row without an event_id parameter: a hash of its
    timestamp, name, user and parameters (identical rows are copies of one event). -#}
{% macro ga4_row_identity() -%}
    {{ return(adapter.dispatch('ga4_row_identity', 'mrr')()) }}
{%- endmacro %}

{% macro default__ga4_row_identity() -%}
    to_hex(md5(to_json_string(struct(event_timestamp, event_name, user_id, user_pseudo_id, event_params))))
{%- endmacro %}

{% macro duckdb__ga4_row_identity() -%}
    md5(concat_ws(
        '|',
        cast(event_timestamp as varchar),
        coalesce(event_name, '~'),
        coalesce(user_id, '~'),
        coalesce(user_pseudo_id, '~'),
        coalesce(cast(event_params as varchar), '~')
    ))
{%- endmacro %}
