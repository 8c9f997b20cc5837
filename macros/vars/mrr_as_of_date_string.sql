{#-
    Var as_of_date as validated 'YYYY-MM-DD' text (today, UTC, when unset).

    Models read vars only through the macros in macros/vars/, so a bad value stops
    the build at compile time with a message naming the var, instead of quietly
    producing wrong numbers.
-#}
{% macro mrr_as_of_date_string() -%}
    {%- set raw = var('as_of_date', none) -%}
    {%- if raw is none or (raw is string and raw | trim == '') -%}
        {#- run_started_at is UTC, like every timestamp in the raw data. -#}
        {{- return(run_started_at.strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {%- set value = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var 'as_of_date' must be a date written YYYY-MM-DD, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {%- set parts = value.split('-') -%}
    {%- set year, month, day = parts[0] | int, parts[1] | int, parts[2] | int -%}
    {%- if year < 1900 or month < 1 or month > 12 or day < 1 -%}
        {{ exceptions.raise_compiler_error("var 'as_of_date' is not a real date: '" ~ raw ~ "'") }}
    {%- endif -%}
    {%- set next_month = modules.datetime.date(year + (month // 12), (month % 12) + 1, 1) -%}
    {%- if day > (next_month - modules.datetime.timedelta(days=1)).day -%}
        {{ exceptions.raise_compiler_error("var 'as_of_date' is not a real date: '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
