{#-
    Var `mrr_forward_months` (default 12): how many months after the month of
    as_of_date the forward marts cover (fct_mrr_committed, fct_mrr_forecast) and
    the longest horizon the backtest measures. The forecast is unrolled one step
    per month at compile time, hence the upper bound of 120 (ten years).
-#}
{% macro mrr_forward_months() -%}
    {%- set raw = var('mrr_forward_months', 12) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int < 1 or text | int > 120 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_forward_months' must be a whole number of months from 1 to 120, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
