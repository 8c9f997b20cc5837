{{ config(grants=mrr_reader_grants()) }}
-- One row per day: the time spine MetricFlow joins to for time-based metrics.
-- The range is fixed and generous (days are cheap) so no data can fall outside it.
{{ config(materialized='table') }}

with

days as (
    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2051-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
