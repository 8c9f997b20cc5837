-- One row per valid daily rate and currency pair, with the day the next rate takes
-- over, so a lookup of "the latest rate on or before a date" is a range join.
-- A table, not a view like the other stg_ models: the rate lookups range-join to it
-- (macros/mrr_fx_rates_for.sql) from CTEs PostgreSQL's planner estimates at one
-- row, so it picks a nested loop that re-ran this view's window over every rate
-- once per looked-up row, slow even on a few hundred items. As a table, each loop
-- is a plain scan; the rows are the same on every engine.
{{ config(materialized='table') }}
with

base as (
    select * from {{ ref('mrr', 'base_billing__fx_rates') }}
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
