{#-
    Var `mrr_close_after_days` (default 5): a month is closed once as_of_date is
    this many days past the month's last day. Its first published figures are then
    kept in fct_monthly_metrics_closed; later differences are restatements.
-#}
{% macro mrr_close_after_days() -%}
    {%- set raw = var('mrr_close_after_days', 5) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int > 366 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_close_after_days' must be a whole number of days from 0 to 366, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
