{{ config(grants=mrr_reader_grants()) }}
-- One row per month of the reporting window (spec section 9.4): how fast MRR and
-- ARPA grow, month over month, year over year, and compounded over 6 and 12
-- months. A growth figure is null where the earlier month lies outside the
-- reporting window or its value is 0.
with

movements as (
    select * from {{ ref('mrr', 'fct_mrr_movements') }}
),

-- The reporting window has every month from its first, so the row n back is the
-- month n months earlier, and there is none before the window.
with_earlier as (
    select
        month,
        closing_mrr,
        arpa,
        lag(closing_mrr, 1) over (order by month) as closing_mrr_1_month_earlier,
        lag(closing_mrr, 6) over (order by month) as closing_mrr_6_months_earlier,
        lag(closing_mrr, 12) over (order by month) as closing_mrr_12_months_earlier,
        lag(arpa, 12) over (order by month) as arpa_12_months_earlier
    from movements
),

final as (
    select
        month,
        closing_mrr,
        cast(
            closing_mrr / nullif(closing_mrr_1_month_earlier, 0) - 1
            as {{ mrr_ratio_type() }}
        ) as mrr_growth_mom,
        cast(
            closing_mrr / nullif(closing_mrr_12_months_earlier, 0) - 1
            as {{ mrr_ratio_type() }}
        ) as mrr_growth_yoy,
        -- Compound monthly growth rate: the constant monthly growth that turns the
        -- earlier MRR into this month's.
        cast(
            power(
                cast(closing_mrr as {{ mrr_double_type() }})
                / nullif(cast(closing_mrr_6_months_earlier as {{ mrr_double_type() }}), 0),
                cast(1 as {{ mrr_double_type() }}) / 6
            ) - 1
            as {{ mrr_ratio_type() }}
        ) as cmgr_6m,
        cast(
            power(
                cast(closing_mrr as {{ mrr_double_type() }})
                / nullif(cast(closing_mrr_12_months_earlier as {{ mrr_double_type() }}), 0),
                cast(1 as {{ mrr_double_type() }}) / 12
            ) - 1
            as {{ mrr_ratio_type() }}
        ) as cmgr_12m,
        arpa,
        cast(
            arpa / nullif(arpa_12_months_earlier, 0) - 1
            as {{ mrr_ratio_type() }}
        ) as arpa_growth_yoy
    from with_earlier
)

select * from final
