{{ config(grants=mrr_reader_grants()) }}
-- One row per forecast month M and horizon h (spec section 9.3): the baseline
-- forecast made at the end of every complete month M that has w complete months
-- ending with it, from the trend alone (what was scheduled back then cannot be
-- told from today's data without hindsight), against the closing MRR that
-- followed, for every horizon h = 1 .. mrr_forward_months whose target month M + h
-- is complete too. How far to trust fct_mrr_forecast, horizon by horizon.
{%- set forward_months = mrr_forward_months() %}
{%- set window_months = mrr_forecast_window_months() %}
{%- set trend_window -%}
    order by month_number rows between {{ window_months - 1 }} preceding and current row
{%- endset %}
with

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

-- A month is complete once its last day is on or before as_of_date; numbered from
-- the first month of the reporting window.
complete_months as (
    select
        *,
        row_number() over (order by month) as month_number
    from movements
    where cast({{ dbt.last_day('month', 'month') }} as date) <= {{ mrr_as_of_date() }}
),

-- Each month's gains and loss rate (as in fct_mrr_forecast: losses over opening MRR,
-- both in millionths, exact to 12 decimals; null when the month opened without MRR).
monthly_trend_inputs as (
    select
        month,
        month_number,
        closing_mrr,
        new_mrr + reactivation_mrr + expansion_mrr as gains,
        case
            when opening_mrr > 0
                then {{ mrr_divide(
                    '-(churned_mrr + contraction_mrr) * 1000000',
                    'cast(opening_mrr * 1000000 as ' ~ dbt.type_bigint() ~ ')'
                ) }}
        end as loss_rate
    from complete_months
),

-- The w months ending with each month M.
trend_windows as (
    select
        month,
        month_number,
        closing_mrr,
        count(*) over ({{ trend_window }}) as trend_months,
        sum(gains) over ({{ trend_window }}) as gains,
        count(loss_rate) over ({{ trend_window }}) as loss_rate_months,
        sum(loss_rate) over ({{ trend_window }}) as loss_rates
    from monthly_trend_inputs
),

-- g_M and c_M, rounded as in fct_mrr_forecast, for the months with a full window.
trend as (
    select
        month as forecast_month,
        month_number,
        cast(round({{ mrr_divide('gains', 'trend_months') }}, 6) as {{ mrr_money_type() }}) as trend_gains,
        cast(
            case
                when loss_rate_months > 0 then round({{ mrr_divide('loss_rates', 'loss_rate_months') }}, 8)
                else 0
            end
            as decimal(28, 8)
        ) as trend_loss_rate,
        closing_mrr
    from trend_windows
    where trend_months = {{ window_months }}
),

-- F_M(0): closing MRR of M.
horizon_0 as (
    select
        forecast_month,
        month_number,
        trend_gains,
        trend_loss_rate,
        cast(closing_mrr as {{ mrr_money_type() }}) as forecast_mrr_0
    from trend
),

{#- F_M(h) depends on F_M(h-1): one step per horizon, unrolled here (at most
    mrr_forward_months steps), since recursive common table expressions are not
    portable to every warehouse the project runs on. Each forecast month's row
    gains a column per step, and every step reads the one before it once: engines
    that inline common table expressions (Spark) then plan each step once, where a
    union of the steps would plan the path again for every horizon. #}
{%- for h in range(1, forward_months + 1) %}

-- Horizon {{ h }}: F_M(h) = greatest(F_M(h-1) + g_M - round(c_M * F_M(h-1), 6), 0).
    horizon_{{ h }} as (
        select
            *,
            cast(
                greatest(
                    forecast_mrr_{{ h - 1 }} + trend_gains
                    - round(trend_loss_rate * forecast_mrr_{{ h - 1 }}, 6),
                    0
                )
                as {{ mrr_money_type() }}
            ) as forecast_mrr_{{ h }}
        from horizon_{{ h - 1 }}
    ),
{%- endfor %}

horizons as (
    {%- for h in range(1, forward_months + 1) %}
        select {{ h }} as horizon_months
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- Each forecast month and horizon beside its step of the path.
forecasts as (
    select
        forecast_path.forecast_month,
        forecast_path.month_number,
        horizons.horizon_months,
        case horizons.horizon_months
            {%- for h in range(1, forward_months + 1) %}
                when {{ h }} then forecast_path.forecast_mrr_{{ h }}
            {%- endfor %}
        end as forecast_mrr
    from horizon_{{ forward_months }} as forecast_path
    cross join horizons
),

-- Only horizons whose target month M + h is complete: the inner join keeps them.
with_actuals as (
    select
        forecasts.forecast_month,
        forecasts.horizon_months,
        target.month as target_month,
        forecasts.forecast_mrr,
        target.closing_mrr as actual_mrr,
        forecasts.forecast_mrr - target.closing_mrr as error
    from forecasts
    inner join complete_months as target
        on forecasts.month_number + forecasts.horizon_months = target.month_number
),

final as (
    select
        cast(forecast_month as date) as forecast_month,
        cast(horizon_months as {{ dbt.type_int() }}) as horizon_months,
        cast(target_month as date) as target_month,
        cast(forecast_mrr as {{ mrr_money_type() }}) as forecast_mrr,
        cast(actual_mrr as {{ mrr_money_type() }}) as actual_mrr,
        cast(error as {{ mrr_money_type() }}) as error,
        -- How far off, as a share of what happened; null when nothing happened.
        cast(
            case when actual_mrr > 0 then abs(error) / actual_mrr end
            as {{ mrr_ratio_type() }}
        ) as abs_pct_error
    from with_actuals
)

select * from final
