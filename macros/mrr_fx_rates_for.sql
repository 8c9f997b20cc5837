{#-
    Each distinct (currency, rate_lookup_date) pair of `relation` with its
    fx_rate_to_reporting: the range lookup behind mrr_with_fx_rate (see there), run
    on the few distinct pairs instead of on every row.
-#}
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
    left join {{ ref('mrr', 'stg_billing__fx_rates') }} as fx
        on
            lookups.currency = fx.from_currency
            and fx.to_currency = {{ mrr_reporting_currency() }}
            and lookups.currency != {{ mrr_reporting_currency() }}
            and fx.rate_date <= lookups.rate_lookup_date
            and coalesce(fx.next_rate_date, {{ mrr_open_end_date() }}) > lookups.rate_lookup_date
{%- endmacro %}
