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

{% macro mrr_fx_rates_for(relation) -%}
    select
        lookups.currency,
        lookups.rate_lookup_date,
        case
            when lookups.currency = {{ mrr_reporting_currency() }} then cast(1 as {{ mrr_amount_type() }})
            else fx.rate
        end as fx_rate_to_reporting
    from (
        select distinct
            currency,
            rate_lookup_date
        from {{ relation }}
    ) as lookups
    left join {{ ref('stg_billing__fx_rates') }} as fx
        on
            lookups.currency = fx.from_currency
            and fx.to_currency = {{ mrr_reporting_currency() }}
            and lookups.currency != {{ mrr_reporting_currency() }}
            and fx.rate_date <= lookups.rate_lookup_date
            and coalesce(fx.next_rate_date, {{ mrr_open_end_date() }}) > lookups.rate_lookup_date
{%- endmacro %}
