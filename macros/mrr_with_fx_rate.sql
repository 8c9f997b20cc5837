{#-
    FX conversion to the reporting currency (spec section 3): the latest *direct*
    rate (from_currency -> reporting currency) on or before a date. An amount
    already in the reporting currency converts at 1 without any lookup.

    mrr_with_fx_rate(relation) returns every row of `relation` (which has columns
    `currency` and `rate_lookup_date`) plus fx_rate_to_reporting, null when there
    is no rate. Millions of invoices share a few thousand (currency, date) pairs,
    so the range lookup runs on those pairs only and is joined back on equality: a
    range join per invoice, with equality on a handful of currencies, fans out badly.
-#}
{% macro mrr_with_fx_rate(relation) -%}
    select
        {{ relation }}.*,
        fx_lookups.fx_rate_to_reporting
    from {{ relation }}
    left join ({{ mrr_fx_rates_for(relation) }}) as fx_lookups
        on
            {{ relation }}.currency = fx_lookups.currency
            and {{ relation }}.rate_lookup_date = fx_lookups.rate_lookup_date
{%- endmacro %}
