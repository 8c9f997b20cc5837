{#-
    The value of GA4 event parameter `key` of the current row, as text, whichever of
    the value's fields holds it (string_value, int_value, double_value or
    float_value: a number sent as 49 lands in int_value, 49.5 in double_value).
    Numbers are written as plain decimals, so the events path parses them with the
    raw contract's text rules. Null when the event has no such parameter.
    Dispatched: GA4's `event_params` is a repeated record, unnested differently per
    warehouse.
-#}
{% macro ga4_param_text(key) -%}
    {{ return(adapter.dispatch('ga4_param_text', 'mrr')(key)) }}
{%- endmacro %}

{#- BigQuery, where GA4 exports to: ARRAY<STRUCT<key, value STRUCT<...>>>. -#}
{% macro default__ga4_param_text(key) -%}
    (
        select
            max(coalesce(
                params.value.string_value,
                cast(params.value.int_value as string),
                cast(cast(params.value.double_value as bignumeric) as string),
                cast(cast(params.value.float_value as bignumeric) as string)
            ))
        from unnest(event_params) as params
        where params.key = '{{ key }}'
    )
{%- endmacro %}

{#- DuckDB: a list of structs, unnested in a correlated subquery. -#}
{% macro duckdb__ga4_param_text(key) -%}
    (
        select
            max(coalesce(
                ga4_param.value.string_value,
                cast(ga4_param.value.int_value as varchar),
                cast(try_cast(ga4_param.value.double_value as decimal(38, 12)) as varchar),
                cast(try_cast(ga4_param.value.float_value as decimal(38, 12)) as varchar)
            ))
        from (select unnest(event_params) as ga4_param) as ga4_params
        where ga4_param.key = '{{ key }}'
    )
{%- endmacro %}
