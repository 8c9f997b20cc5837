{#-
    The GA4 day tables to read, found by name in the schema (dataset) of source
    `ga4`: every daily table `events_YYYYMMDD`, and `events_intraday_YYYYMMDD` for
    the days without a daily table (a day present in both is read from the daily
    table only). A list of relations, sorted by day; empty at parse time. A build
    or run stops with a message when the schema holds no day table at all.
-#}
{% macro ga4_day_tables() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set dataset = source('ga4', 'events') -%}
    {%- set names = ga4_table_names(dataset.database, dataset.schema) -%}
    {%- set daily = {} -%}
    {%- set intraday = {} -%}
    {%- for name in names -%}
        {%- set lowered = name | lower -%}
        {%- if modules.re.match('^events_[0-9]{8}$', lowered) -%}
            {%- do daily.update({lowered[-8:]: name}) -%}
        {%- elif modules.re.match('^events_intraday_[0-9]{8}$', lowered) -%}
            {%- do intraday.update({lowered[-8:]: name}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set chosen = [] -%}
    {%- for day in (daily.keys() | list + intraday.keys() | list) | unique | sort -%}
        {%- set name = daily[day] if day in daily else intraday[day] -%}
        {%- do chosen.append(api.Relation.create(database=dataset.database, schema=dataset.schema, identifier=name)) -%}
    {%- endfor -%}
    {%- if not chosen and flags.WHICH in ('build', 'run') -%}
        {#- Other commands (compile, docs, a linter) get the empty select instead. -#}
        {{ exceptions.raise_compiler_error(
            "no GA4 day tables (events_YYYYMMDD or events_intraday_YYYYMMDD) in "
            ~ dataset.database ~ "." ~ dataset.schema ~ ": set var ga4_schema (and ga4_database) to the export's dataset"
        ) }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}
