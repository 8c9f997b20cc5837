{#-
    A raw column parsed into the type its contract column has (kind: integer,
    decimal, timestamp, date, boolean), or null when its value does not parse.

    Typed columns convert as a cast would. Text columns are parsed row by row and
    only in one format on every warehouse (docs/contract.md, "Types your tables may use"):
      integer    2, +2, -2, 2.0        (whole numbers only, at most 9 digits)
      decimal    12.5, -0.75, .5       (a dot, no thousands separator, no exponent)
      timestamp  2024-12-31, 2024-12-31 23:59[:59[.fraction]], T allowed, Z or +00 allowed
      date       as timestamp; the date part counts
      boolean    true/false, t/f, yes/no, 1/0, any case
    with spaces around allowed. So `12,50`, `31/12/2024` and `two` give null, and
    mrr_unparseable_reason turns that into a rejection instead of a failed build.
-#}
{% macro mrr_try_cast(column, kind) -%}
    {{ return(adapter.dispatch('mrr_try_cast', 'mrr')(column, kind)) }}
{%- endmacro %}

{% macro default__mrr_try_cast(column, kind) -%}
    {#- Warehouses with a safe cast of their own (dbt.safe_cast: try_cast, safe_cast). -#}
    {{ dbt.safe_cast(column, mrr_parse_type(kind)) }}
{%- endmacro %}

{% macro duckdb__mrr_try_cast(column, kind) -%}
    {#- typeof() is folded to a constant when the query is planned, so a typed
        column pays for one try_cast and nothing else. Both branches must bind
        for any input type, hence try_cast in the typed branch too. -#}
    {%- set target = mrr_parse_type(kind) -%}
    {%- set text = 'trim(cast(' ~ column ~ ' as varchar))' -%}
    {%- set value = 'lower(' ~ text ~ ')' if kind == 'boolean' else text -%}
    case
        when typeof({{ column }}) = 'VARCHAR' then
            case
                when regexp_matches({{ value }}, '{{ mrr_text_pattern(kind) }}') then
                    {%- if kind == 'integer' %}
                    try_cast(try_cast({{ value }} as decimal(38, 12)) as {{ target }})
                    {%- elif kind == 'date' %}
                    try_cast(try_cast({{ value }} as timestamp) as date)
                    {%- else %}
                    try_cast({{ value }} as {{ target }})
                    {%- endif %}
            end
        {%- if kind == 'integer' %}
        when try_cast({{ column }} as decimal(38, 12)) = round(try_cast({{ column }} as decimal(38, 12)), 0)
            then try_cast({{ column }} as {{ target }})
        {%- else %}
        else try_cast({{ column }} as {{ target }})
        {%- endif %}
    end
{%- endmacro %}

{% macro postgres__mrr_try_cast(column, kind) -%}
    {#- Postgres has no safe cast before version 16 (pg_input_is_valid): the text
        is matched against the format first, and a date's day is checked against
        the length of its month, so the cast itself can no longer fail. -#}
    {%- set target = mrr_parse_type(kind) -%}
    {%- set text = 'trim(cast(' ~ column ~ ' as text))' -%}
    {%- set value = 'lower(' ~ text ~ ')' if kind == 'boolean' else text -%}
    {#- The outer cast keeps the type modifier (numeric(38, 12)), which a case
        expression drops on Postgres. -#}
    cast(case
        when pg_typeof({{ column }}) in ('text'::regtype, 'character varying'::regtype, 'character'::regtype) then
            case
                when {{ value }} ~ '{{ mrr_text_pattern(kind) }}' then
                    {%- if kind == 'integer' %}
                    cast(cast({{ value }} as numeric) as {{ target }})
                    {%- elif kind in ('timestamp', 'date') %}
                    case
                        when cast(substr({{ value }}, 9, 2) as integer) <= extract(day from
                            cast(substr({{ value }}, 1, 7) || '-01' as date) + interval '1 month' - interval '1 day')
                            then cast(cast({{ value }} as timestamp) as {{ target }})
                    end
                    {%- else %}
                    cast({{ value }} as {{ target }})
                    {%- endif %}
            end
        {%- if kind == 'integer' %}
        when cast({{ column }} as numeric) = round(cast({{ column }} as numeric), 0)
            and abs(cast({{ column }} as numeric)) < 2147483648
            then cast(cast({{ column }} as numeric) as {{ target }})
        {%- else %}
        else cast({{ column }} as {{ target }})
        {%- endif %}
    end as {{ target }})
{%- endmacro %}
