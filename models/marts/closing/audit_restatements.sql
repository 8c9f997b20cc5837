{{ config(grants=mrr_reader_grants()) }}
-- One row per closed month and metric whose recomputed (live) value differs today
-- from the value first published when the month closed: the published value, the
-- current value, the difference and when this current value was first seen.
with

closed as (
    select * from {{ ref('mrr', 'fct_monthly_metrics_closed') }}
),

live as (
    select * from {{ ref('mrr', 'fct_monthly_metrics') }}
),

restatement_log as (
    select * from {{ ref('mrr', 'audit_restatement_log') }}
),

current_values as (
    select
        closed.month,
        closed.metric,
        closed.source_model,
        closed.published_value,
        closed.published_at,
        live.metric_value as current_value
    from closed
    left join live
        on
            closed.month = live.month
            and closed.metric = live.metric
),

restated as (
    select *
    from current_values
    where not {{ mrr_null_safe_equal('published_value', 'current_value') }}
),

first_seen as (
    select
        restated.month,
        restated.metric,
        min(restatement_log.first_seen_at) as first_seen_at,
        min(restatement_log.first_seen_as_of_date) as first_seen_as_of_date
    from restated
    inner join restatement_log
        on
            restated.month = restatement_log.month
            and restated.metric = restatement_log.metric
            and {{ mrr_null_safe_equal('restated.current_value', 'restatement_log.current_value') }}
    group by restated.month, restated.metric
),

final as (
    select
        cast(restated.month as date) as month,
        cast(restated.metric as {{ dbt.type_string() }}) as metric,
        cast(restated.source_model as {{ dbt.type_string() }}) as source_model,
        cast(restated.published_value as {{ mrr_metric_value_type() }}) as published_value,
        cast(restated.current_value as {{ mrr_metric_value_type() }}) as current_value,
        cast(restated.current_value - restated.published_value as {{ mrr_metric_value_type() }}) as difference,
        restated.published_at,
        first_seen.first_seen_at,
        first_seen.first_seen_as_of_date
    from restated
    left join first_seen
        on
            restated.month = first_seen.month
            and restated.metric = first_seen.metric
)

select * from final
