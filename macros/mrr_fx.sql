{#-
    FX conversion to the reporting currency (spec section 3): the latest *direct*
    rate (from_currency -> reporting currency) on or before a date. An amount
    already in the reporting currency converts at 1 without any lookup.

    Usage inside a model:
        fx_to_reporting as ( {{ mrr_fx_rates_to_reporting() }} ),
        ... left join fx_to_reporting {{ mrr_fx_rate_join_condition('fx_to_reporting', 'x.currency', 'x.rate_lookup_date') }}
        ... {{ mrr_fx_rate('fx_to_reporting', 'x.currency') }} as fx_rate_to_reporting
    stg_billing__fx_rates carries next_rate_date, so the lookup is a range join
    rather than a "max(rate_date) <= date" scan per row.
-#}
{% macro mrr_fx_rates_to_reporting() -%}
    select
        from_currency,
        rate_date,
        next_rate_date,
        rate
    from {{ ref('stg_billing__fx_rates') }}
    where to_currency = {{ mrr_reporting_currency() }}
{%- endmacro %}

{% macro mrr_fx_rate_join_condition(fx_alias, currency_expr, date_expr) -%}
    on {{ fx_alias }}.from_currency = {{ currency_expr }}
    and {{ currency_expr }} != {{ mrr_reporting_currency() }}
    and {{ fx_alias }}.rate_date <= {{ date_expr }}
    and ({{ fx_alias }}.next_rate_date > {{ date_expr }} or {{ fx_alias }}.next_rate_date is null)
{%- endmacro %}

{% macro mrr_fx_rate(fx_alias, currency_expr) -%}
    case
        when {{ currency_expr }} = {{ mrr_reporting_currency() }} then cast(1 as {{ mrr_amount_type() }})
        else {{ fx_alias }}.rate
    end
{%- endmacro %}
