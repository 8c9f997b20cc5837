{#-
    The movement rules (spec section 6) as common table expressions, for one MRR
    series per `series_columns` value: a customer (fct_mrr) or a customer and plan
    (fct_mrr_by_plan, spec section 8). Emits the CTEs `as_of`, `neighbours`,
    `active_rows`, `classified_active`, `churn_rows` and `movements`; the caller
    writes `with <its imports>, {{ mrr_movement_ctes(...) }}, final as (...)`.

    `series_relation` has one row per series and month with MRR above 0 (columns
    month, the series columns, mrr); `months_relation` is the month spine
    (int_months). `movements` holds every active row with its movement, plus the
    churn row in the month after the last month of each run, never past the month
    of as_of_date.
-#}
{% macro mrr_movement_ctes(series_relation, months_relation, series_columns) -%}
{%- set series = series_columns | join(', ') -%}
as_of as (
    select max(month) as as_of_month from {{ months_relation }}
),

neighbours as (
    select
        month,
        {{ series }},
        mrr,
        lag(month) over (partition by {{ series }} order by month) as prior_active_month,
        lag(mrr) over (partition by {{ series }} order by month) as prior_active_mrr,
        lead(month) over (partition by {{ series }} order by month) as next_active_month,
        min(month) over (partition by {{ series }}) as first_active_month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month_before,
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month_after
    from {{ series_relation }}
),

active_rows as (
    select
        month,
        {{ series }},
        mrr,
        -- "previous" is the month just before; an older active month means a gap (0).
        case
            when prior_active_month = month_before then prior_active_mrr
            else cast(0 as {{ mrr_money_type() }})
        end as previous_mrr,
        first_active_month
    from neighbours
),

classified_active as (
    select
        month,
        {{ series }},
        mrr,
        previous_mrr,
        case
            when previous_mrr = 0 and month = first_active_month then 'new'
            when previous_mrr = 0 then 'reactivation'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        mrr - previous_mrr as movement_amount
    from active_rows
),

-- The month after the last active month of a run, but never past the window.
churn_rows as (
    select
        neighbours.month_after as month,
        {%- for column in series_columns %}
        neighbours.{{ column }},
        {%- endfor %}
        cast(0 as {{ mrr_money_type() }}) as mrr,
        neighbours.mrr as previous_mrr,
        'churn' as movement_type,
        -neighbours.mrr as movement_amount
    from neighbours
    cross join as_of
    where
        (neighbours.next_active_month is null or neighbours.next_active_month != neighbours.month_after)
        and neighbours.month_after <= as_of.as_of_month
),

movements as (
    select * from classified_active
    union all
    select * from churn_rows
)
{%- endmacro %}
