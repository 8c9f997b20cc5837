{{ config(grants=mrr_reader_grants()) }}
{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='fail',
) }}
-- One row per closed month and metric: the value first published once the month
-- closed. Rows are only ever added, never updated, and `--full-refresh` keeps this
-- table (full_refresh: false), so a rebuild cannot lose the published history.
with

live as (
    select * from {{ ref('mrr', 'fct_monthly_metrics') }}
),

{% if is_incremental() %}
already_published as (
    select
        month,
        metric
    from {{ this }}
),
{% endif %}

newly_closed as (
    select
        live.month,
        live.metric,
        live.source_model,
        live.metric_value as published_value,
        live.closes_on
    from live
    {%- if is_incremental() %}
    left join already_published
        on
            live.month = already_published.month
            and live.metric = already_published.metric
    {%- endif %}
    where
        live.is_closed
    {%- if is_incremental() %}
        and already_published.month is null
        {%- endif %}
),

final as (
    select
        cast(month as date) as month,
        cast(metric as {{ mrr_string_type() }}) as metric,
        cast(source_model as {{ mrr_string_type() }}) as source_model,
        cast(published_value as {{ mrr_metric_value_type() }}) as published_value,
        cast(closes_on as date) as closes_on,
        {{ mrr_as_of_date() }} as published_as_of_date,
        {{ mrr_run_timestamp() }} as published_at
    from newly_closed
)

select * from final
