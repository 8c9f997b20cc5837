{#-
    Var `mrr_delinquent_after_days` (default 14): a customer whose oldest overdue
    invoice is more than this many days past due on as_of_date is delinquent
    (fct_mrr_at_risk), and its whole MRR counts as at risk.
-#}
{% macro mrr_delinquent_after_days() -%}
    {%- set raw = var('mrr_delinquent_after_days', 14) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) or text | int > 3660 -%}
        {{ exceptions.raise_compiler_error("var 'mrr_delinquent_after_days' must be a whole number of days from 0 to 3660, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}
