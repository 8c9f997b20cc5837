{{ config(grants=mrr_reader_grants()) }}
-- One row per month and metric: the figure to report. A closed month shows the
-- value first published when it closed (what the board saw); an open month shows
-- the live value. `live_value` and `is_restated` say whether the live marts have
-- moved since.
with

live as (
    select * from {{ ref('mrr', 'fct_monthly_metrics') }}
),

closed as (
    select * from {{ ref('mrr', 'fct_monthly_metrics_closed') }}
),

joined as (
    select
        coalesce(closed.month, live.month) as month,
        coalesce(closed.metric, live.metric) as metric,
        coalesce(closed.source_model, live.source_model) as source_model,
        case when closed.month is not null then closed.published_value else live.metric_value end as metric_value,
        live.metric_value as live_value,
        closed.month is not null as is_closed,
        closed.month is not null
        and not {{ mrr_null_safe_equal('closed.published_value', 'live.metric_value') }} as is_restated
    from live
    full outer join closed
        on
            live.month = closed.month
            and live.metric = closed.metric
),

final as (
    select
        cast(month as date) as month,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(source_model as {{ dbt.type_string() }}) as source_model,
        cast(metric_value as {{ mrr_metric_value_type() }}) as metric_value,
        cast(live_value as {{ mrr_metric_value_type() }}) as live_value,
        is_closed,
        is_restated
    from joined
)

select * from final
