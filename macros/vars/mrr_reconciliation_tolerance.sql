{#-
    Var mrr_reconciliation_tolerance (default 1) as an amount: the difference above
    which fct_mrr_reconciliation flags a customer-month. Must be a non-negative number.
-#}
{% macro mrr_reconciliation_tolerance() -%}
    {%- set raw = var('mrr_reconciliation_tolerance', 1) -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]+([.][0-9]+)?$', text) -%}
        {{ exceptions.raise_compiler_error("var 'mrr_reconciliation_tolerance' must be a non-negative number, got '" ~ raw ~ "'") }}
    {%- endif -%}
    cast({{ text }} as {{ mrr_amount_type() }})
{%- endmacro %}
