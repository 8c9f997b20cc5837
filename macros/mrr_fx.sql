{#-
    FX conversion to the reporting currency (spec section 3): the latest *direct*
    rate (from_currency -> reporting currency) on or before a date. An amount
    already in the reporting currency converts at 1 without any lookup.

    mrr_fx_rates_for(relation) returns one row per distinct (currency,
    rate_lookup_date) of `relation` with its fx_rate_to_reporting (null when there
    is none). Millions of invoices share a few thousand such pairs, so the range
    lookup runs on those pairs only and the caller joins back on equality: a range
    join per invoice, with equality on a handful of currencies, fans out badly.
-#}
{% macro mrr_fx_rates_for(relation, currency_column='currency', date_column='rate_lookup_date') -%}
    select
        lookups.currency,
        lookups.rate_lookup_date,
        case
            when lookups.currency = {{ mrr_reporting_currency() }} then cast(1 as {{ mrr_amount_type() }})
            else fx.rate
        end as fx_rate_to_reporting
    from (
        select distinct
            {{ currency_column }} as currency,
            {{ date_column }} as rate_lookup_date
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
