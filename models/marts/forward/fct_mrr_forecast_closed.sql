{{ config(grants=mrr_reader_grants()) }}
{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='fail',
) }}
-- One row per closed month and forward month: the forecast (fct_mrr_forecast) as
-- the first run after the month closed published it, so what was forecast can
-- later be read beside what happened. A month closes var mrr_close_after_days
-- after its last day, as in fct_monthly_metrics_closed. Rows are only ever added,
-- never updated, and `--full-refresh` keeps this table (full_refresh: false): a
-- forecast cannot be made again later without hindsight. A month that closed
-- while no run happened has no forecast here; the run after keeps its own latest
-- closed month.
with

forecast as (
    select * from {{ ref('mrr', 'fct_mrr_forecast') }}
),

-- The latest closed month: the last month whose last day plus
-- mrr_close_after_days is on or before as_of_date.
closing as (
    select
        cast(
            {{ dbt.dateadd(
                'month', -1,
                dbt.date_trunc('month', dbt.dateadd('day', 1 - mrr_close_after_days(), mrr_as_of_date()))
            ) }}
            as date
        ) as closed_month
),

{% if is_incremental() %}
already_published as (
    select distinct closed_month
    from {{ this }}
),
{% endif %}

newly_published as (
    select
        closing.closed_month,
        forecast.month,
        forecast.months_ahead,
        forecast.committed_mrr,
        forecast.forecast_mrr,
        forecast.forecast_gains,
        forecast.forecast_losses,
        forecast.scheduled_gains,
        forecast.scheduled_losses,
        forecast.trend_gains,
        forecast.trend_loss_rate,
        forecast.trend_months
    from forecast
    cross join closing
    {%- if is_incremental() %}
    left join already_published
        on closing.closed_month = already_published.closed_month
    where already_published.closed_month is null
    {%- endif %}
),

final as (
    select
        cast(closed_month as date) as closed_month,
        cast(month as date) as month,
        cast(months_ahead as {{ dbt.type_int() }}) as months_ahead,
        cast(committed_mrr as {{ mrr_money_type() }}) as committed_mrr,
        cast(forecast_mrr as {{ mrr_money_type() }}) as forecast_mrr,
        cast(forecast_gains as {{ mrr_money_type() }}) as forecast_gains,
        cast(forecast_losses as {{ mrr_money_type() }}) as forecast_losses,
        cast(scheduled_gains as {{ mrr_money_type() }}) as scheduled_gains,
        cast(scheduled_losses as {{ mrr_money_type() }}) as scheduled_losses,
        cast(trend_gains as {{ mrr_money_type() }}) as trend_gains,
        cast(trend_loss_rate as decimal(28, 8)) as trend_loss_rate,
        cast(trend_months as {{ dbt.type_int() }}) as trend_months,
        {{ mrr_as_of_date() }} as published_as_of_date,
        {{ mrr_run_timestamp() }} as published_at
    from newly_published
)

select * from final
