{{ config(grants=mrr_reader_grants()) }}
-- The semantic layer's YAML (models/marts/semantic) reads var mrr_semantic_prefix
-- where dbt calls no macro; the model MetricFlow always needs checks it at parse.
{% do mrr_semantic_prefix() %}
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
