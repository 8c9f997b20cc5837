{#-
    Var `mrr_lookback_days` (default 3): an incremental run re-reads raw rows whose
    updated_at is at most this many days older than the newest version already
    processed, so rows delivered a little late are still picked up. Rows later
    than that are counted as `arrived after lookback` until a --full-refresh.
-#}
{% macro mrr_lookback_days() -%}
    {%- set raw = var('mrr_lookback_days', 3) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int > 3660 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_lookback_days' must be a whole number of days from 0 to 3660, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
