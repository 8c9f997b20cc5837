{#-
    Var `mrr_event_grace_days` (default 7), read with billing_source events:
    a subscription whose last start or renewal paid for a period that ended more
    than this many days before as_of_date, with no cancellation, has lapsed
    (docs/events.md).
-#}
{% macro mrr_event_grace_days() -%}
    {%- set raw = var('mrr_event_grace_days', 7) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int > 366 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_event_grace_days' must be a whole number of days from 0 to 366, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
