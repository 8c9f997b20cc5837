{{ config(grants=mrr_reader_grants()) }}
-- One row per forward month (spec section 9.2): a baseline forecast of MRR that
-- combines what is already scheduled (fct_mrr_committed) with the trend of the
-- last complete months (fct_mrr_movements), each month taking the larger of the
-- two for gains and for losses, so a scheduled cancellation is never counted a
-- second time by the churn rate. Every input sits beside the result, so the
-- forecast can be redone by hand (docs/forecasting.md).
{%- set forward_months = mrr_forward_months() %}
{%- set window_months = mrr_forecast_window_months() %}
with

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

committed as (
    select * from {{ ref('mrr', 'fct_mrr_committed') }}
),

-- A month is complete once its last day is on or before as_of_date: the months
-- before the month of as_of_date, and that month too when as_of_date ends it.
complete_months as (
    select
        *,
        row_number() over (order by month desc) as months_back
    from movements
    where cast({{ dbt.last_day('month', 'month') }} as date) <= {{ mrr_as_of_date() }}
),

-- The trend window: the last w complete months, ending with the last complete one
-- (fewer when the reporting window is shorter).
trend_months as (
    select
        new_mrr + reactivation_mrr + expansion_mrr as gains,
        opening_mrr,
        -- A month's loss rate: its losses over its opening MRR, both in millionths,
        -- so the division is by a whole number and exact to 12 decimals.
        case
            when opening_mrr > 0
                then {{ mrr_divide(
                    '-(churned_mrr + contraction_mrr) * 1000000',
                    'cast(opening_mrr * 1000000 as ' ~ dbt.type_bigint() ~ ')'
                ) }}
        end as loss_rate
    from complete_months
    where months_back <= {{ window_months }}
),

trend_totals as (
    select
        count(*) as trend_months,
        sum(gains) as gains,
        count(loss_rate) as loss_rate_months,
        sum(loss_rate) as loss_rates
    from trend_months
),

-- g: the average gains, rounded to 6 decimals; c: the average loss rate over the
-- months that opened with MRR, rounded to 8 decimals. Both 0 without such months.
trend as (
    select
        trend_months,
        cast(
            case
                when trend_months > 0 then round({{ mrr_divide('gains', 'trend_months') }}, 6)
                else 0
            end
            as {{ mrr_money_type() }}
        ) as trend_gains,
        cast(
            case
                when loss_rate_months > 0 then round({{ mrr_divide('loss_rates', 'loss_rate_months') }}, 8)
                else 0
            end
            as decimal(28, 8)
        ) as trend_loss_rate
    from trend_totals
),

-- F(0): closing MRR of the month of as_of_date (0 when the window has no month).
starting_point as (
    select cast(coalesce(max(closing_mrr), 0) as {{ mrr_money_type() }}) as forecast_mrr
    from movements
    where month = cast({{ dbt.date_trunc('month', mrr_as_of_date()) }} as date)
),

-- G(k) and S(k): what the forward book already schedules, both as amounts >= 0.
inputs as (
    select
        committed.month,
        committed.months_ahead,
        committed.closing_mrr as committed_mrr,
        trend.trend_gains,
        trend.trend_loss_rate,
        trend.trend_months,
        committed.new_mrr + committed.reactivation_mrr + committed.expansion_mrr as scheduled_gains,
        -(committed.churned_mrr + committed.contraction_mrr) as scheduled_losses
    from committed
    cross join trend
),

step_0 as (
    select forecast_mrr as forecast_mrr_0
    from starting_point
),

{#- F(k) depends on F(k-1): one step per forward month, unrolled here (at most
    mrr_forward_months steps), since recursive common table expressions are not
    portable to every warehouse the project runs on. The path is one row that
    gains a month's columns at each step, and every step reads the one before it
    once: engines that inline common table expressions (Spark) then plan each step
    once, where a union of the steps would plan the path again for every month. #}
{%- for k in range(1, forward_months + 1) %}

-- Forward month {{ k }}: gains(k) = greatest(g, G(k)), losses(k) =
-- greatest(round(c * F(k-1), 6), S(k)), F(k) = greatest(F(k-1) + gains - losses, 0).
    step_{{ k }}_flows as (
        select
            step_{{ k - 1 }}.*,
            greatest(inputs.trend_gains, inputs.scheduled_gains) as forecast_gains_{{ k }},
            greatest(
                round(inputs.trend_loss_rate * step_{{ k - 1 }}.forecast_mrr_{{ k - 1 }}, 6),
                inputs.scheduled_losses
            ) as forecast_losses_{{ k }}
        from step_{{ k - 1 }}
        cross join inputs
        where inputs.months_ahead = {{ k }}
    ),

    step_{{ k }} as (
        select
            *,
            cast(
                greatest(forecast_mrr_{{ k - 1 }} + forecast_gains_{{ k }} - forecast_losses_{{ k }}, 0)
                as {{ mrr_money_type() }}
            ) as forecast_mrr_{{ k }}
        from step_{{ k }}_flows
    ),
{%- endfor %}

-- Each forward month beside its own step of the path.
forecast as (
    select
        inputs.month,
        inputs.months_ahead,
        inputs.committed_mrr,
        case inputs.months_ahead
            {%- for k in range(1, forward_months + 1) %}
                when {{ k }} then forecast_path.forecast_mrr_{{ k }}
            {%- endfor %}
        end as forecast_mrr,
        case inputs.months_ahead
            {%- for k in range(1, forward_months + 1) %}
                when {{ k }} then forecast_path.forecast_gains_{{ k }}
            {%- endfor %}
        end as forecast_gains,
        case inputs.months_ahead
            {%- for k in range(1, forward_months + 1) %}
                when {{ k }} then forecast_path.forecast_losses_{{ k }}
            {%- endfor %}
        end as forecast_losses,
        inputs.scheduled_gains,
        inputs.scheduled_losses,
        inputs.trend_gains,
        inputs.trend_loss_rate,
        inputs.trend_months
    from inputs
    cross join step_{{ forward_months }} as forecast_path
    where inputs.months_ahead between 1 and {{ forward_months }}
),

final as (
    select
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
        cast(trend_months as {{ dbt.type_int() }}) as trend_months
    from forecast
)

select * from final
