-- One row per valid daily rate and currency pair, with the day the next rate takes
-- over, so a lookup of "the latest rate on or before a date" is a range join.
with

base as (
    select * from {{ ref('base_billing__fx_rates') }}
),

valid as (
    select
        rate_date,
        from_currency,
        to_currency,
        rate
    from base
    where rejection_reason is null
),

final as (
    select
        rate_date,
        from_currency,
        to_currency,
        rate,
        lead(rate_date) over (
            partition by from_currency, to_currency
            order by rate_date
        ) as next_rate_date
    from valid
)

select * from final
