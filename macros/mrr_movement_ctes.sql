{#-
    The movement rules (spec section 6) as common table expressions, for one MRR
    series per `series_columns` value: a customer (fct_mrr) or a customer and plan
    (fct_mrr_by_plan, spec section 8). Emits the CTEs `as_of`, `shifted`,
    `first_months`, `paired`, `classified` and `movements`; the caller writes
    `with <its imports>, {{ mrr_movement_ctes(...) }}, final as (...)`.

    `series_relation` has one row per series and month with MRR above 0 (columns
    month, the series columns, mrr); `months_relation` is the month spine
    (int_months). `movements` holds every active row with its movement, plus the
    churn row in the month after the last month of each run, never past the month
    of as_of_date.

    Why joins and not lag()/lead(): a window sorts tens of millions of rows by a
    text key; one full outer join of each month with the series' month before (a
    hash join) finds "previous" and the churn rows in one pass, and the first
    month of a series is a hash aggregate. "Previous" is the calendar month
    before by construction, so a gap in a series reads as 0.
-#}
{% macro mrr_movement_ctes(series_relation, months_relation, series_columns) -%}
as_of as (
    select max(month) as as_of_month from {{ months_relation }}
),

-- Each active row moved to the month after it: the "previous" side of the join.
shifted as (
    select
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month,
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        mrr as previous_mrr
    from {{ series_relation }}
),

first_months as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        min(month) as first_active_month
    from {{ series_relation }}
    group by {{ series_columns | join(', ') }}
),

-- Matched: active this month and the month before. Only this month: previous 0.
-- Only the month before: the run ended, a churn row in the month after it.
paired as (
    select
        coalesce(this_month.month, shifted.month) as month,
        {%- for column in series_columns %}
        coalesce(this_month.{{ column }}, shifted.{{ column }}) as {{ column }},
        {%- endfor %}
        coalesce(this_month.mrr, cast(0 as {{ mrr_money_type() }})) as mrr,
        coalesce(shifted.previous_mrr, cast(0 as {{ mrr_money_type() }})) as previous_mrr,
        this_month.month is null as is_churn
    from {{ series_relation }} as this_month
    full outer join shifted
        on
            this_month.month = shifted.month
            {%- for column in series_columns %}
            and this_month.{{ column }} = shifted.{{ column }}
            {%- endfor %}
),

classified as (
    select
        paired.month,
        {%- for column in series_columns %}
        paired.{{ column }},
        {%- endfor %}
        paired.mrr,
        paired.previous_mrr,
        case
            when paired.is_churn then 'churn'
            when paired.previous_mrr = 0 and paired.month = first_months.first_active_month then 'new'
            when paired.previous_mrr = 0 then 'reactivation'
            when paired.mrr > paired.previous_mrr then 'expansion'
            when paired.mrr < paired.previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        paired.mrr - paired.previous_mrr as movement_amount
    from paired
    cross join as_of
    inner join first_months
        on
            {% for column in series_columns -%}
            {{ 'and ' if not loop.first }}paired.{{ column }} = first_months.{{ column }}
            {% endfor %}
    -- The churn row after a run that lasts into the month of as_of_date lies past the window.
    where paired.month <= as_of.as_of_month
),

movements as (
    select
        month,
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        mrr,
        previous_mrr,
        movement_type,
        movement_amount
    from classified
)
{%- endmacro %}
