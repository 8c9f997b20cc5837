{#-
    Validated access to the project's vars. Models read vars only through these
    macros, so a bad value stops the build at compile time with a message naming
    the var, instead of quietly producing wrong numbers.
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

{% macro mrr_as_of_date() -%}
    cast('{{ mrr_as_of_date_string() }}' as date)
{%- endmacro %}

{% macro mrr_reporting_currency_code() -%}
    {%- set raw = var('reporting_currency', 'USD') -%}
    {%- set value = (raw | string | trim | upper) if raw is not none else '' -%}
    {%- if not modules.re.match('^[A-Z]{3}$', value) -%}
        {{ exceptions.raise_compiler_error("var 'reporting_currency' must be a three-letter ISO 4217 code such as USD, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}

{% macro mrr_reporting_currency() -%}
    '{{ mrr_reporting_currency_code() }}'
{%- endmacro %}

{% macro mrr_bool_var(name, default) -%}
    {#- Accepts YAML booleans and the strings true/false (any case), nothing else. -#}
    {%- set raw = var(name, default) -%}
    {%- if raw is sameas true or raw is sameas false -%}
        {{- return(raw) -}}
    {%- endif -%}
    {%- set text = (raw | string | trim | lower) -%}
    {%- if text == 'true' -%}
        {{- return(true) -}}
    {%- elif text == 'false' -%}
        {{- return(false) -}}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be true or false, got '" ~ raw ~ "'") }}
{%- endmacro %}

{% macro mrr_include_trials() -%}
    {{- return(mrr_bool_var('mrr_include_trials', false)) -}}
{%- endmacro %}

{% macro mrr_apply_discounts() -%}
    {{- return(mrr_bool_var('mrr_apply_discounts', true)) -}}
{%- endmacro %}

{% macro mrr_reconciliation_tolerance() -%}
    {%- set raw = var('mrr_reconciliation_tolerance', 1) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+([.][0-9]+)?$', text) -%}
        {{ exceptions.raise_compiler_error("var 'mrr_reconciliation_tolerance' must be a non-negative number, got '" ~ raw ~ "'") }}
    {%- endif -%}
    cast({{ text }} as {{ mrr_amount_type() }})
{%- endmacro %}

{#-
    billing_database / billing_schema: where the raw tables are. They are pasted
    into every query that reads a raw table, so only plain identifiers pass:
    letters, digits, _ and $ (and - for BigQuery-style project names), nothing
    that could close a quoted name or start another statement. Null or blank
    means the default (where `dbt seed` puts the demo data).
-#}
{% macro mrr_billing_location_var(name) -%}
    {%- set raw = var(name, none) -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set value = raw | string -%}
    {%- if not modules.re.match('^[A-Za-z0-9_][A-Za-z0-9_$-]*$', value) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a plain identifier (letters, digits, _ $ -), got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
