{#-
    Var `mrr_forecast_window_months` (default 3): the trend window of the baseline
    forecast, the complete months whose gains and loss rate it averages
    (fct_mrr_forecast, fct_mrr_forecast_backtest).
-#}
{% macro mrr_forecast_window_months() -%}
    {%- set raw = var('mrr_forecast_window_months', 3) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int < 1 or text | int > 120 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_forecast_window_months' must be a whole number of months from 1 to 120, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
