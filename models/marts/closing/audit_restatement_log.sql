{{ config(grants=mrr_reader_grants()) }}
{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='fail',
) }}
-- One row per closed month, metric and recomputed value that differs from the
-- published one, written the first run it was seen. Append-only and kept across
-- `--full-refresh`, so "when was this restatement first seen" survives rebuilds.
with

closed as (
    select * from {{ ref('mrr', 'fct_monthly_metrics_closed') }}
),

live as (
    select * from {{ ref('mrr', 'fct_monthly_metrics') }}
),

-- A closed month that no longer has a live value (its rows vanished) is a
-- restatement to null.
current_values as (
    select
        closed.month,
        closed.metric,
        closed.source_model,
        closed.published_value,
        live.metric_value as current_value
    from closed
    left join live
        on
            closed.month = live.month
            and closed.metric = live.metric
),

differing as (
    select *
    from current_values
    where not {{ mrr_null_safe_equal('published_value', 'current_value') }}
),

{% if is_incremental() %}
logged as (
    select
        month,
        metric,
        current_value
    from {{ this }}
),
{% endif %}

new_entries as (
    select differing.*
    from differing
    {%- if is_incremental() %}
    left join logged
        on
            differing.month = logged.month
            and differing.metric = logged.metric
            and {{ mrr_null_safe_equal('differing.current_value', 'logged.current_value') }}
    where logged.month is null
    {%- endif %}
),

final as (
    select
        cast(month as date) as month,
        cast(metric as {{ mrr_string_type() }}) as metric,
        cast(source_model as {{ mrr_string_type() }}) as source_model,
        cast(published_value as {{ mrr_metric_value_type() }}) as published_value,
        cast(current_value as {{ mrr_metric_value_type() }}) as current_value,
        {{ mrr_as_of_date() }} as first_seen_as_of_date,
        {{ mrr_run_timestamp() }} as first_seen_at
    from new_entries
)

select * from final
