{#-
    The rows of an MRR series mart (fct_mrr, fct_mrr_by_plan) that break the chain,
    each with what is wrong: a second row for the same series and month, a null
    mrr or previous_mrr, a previous_mrr that is not the series' mrr of the calendar
    month before, or one that is not 0 when the series has no row in that month, or
    a month with MRR above 0 and no row in the month after (which holds the next
    month's MRR or the churn) before the mart's last month.

    One sort of the whole mart by series and month, so too slow for every build at
    scale; the data test
    mrr_series_is_chained proves the same in one scan without naming rows, and its
    failure message points here. To list the rows:

        dbt show --limit 50 --inline "{{ mrr_series_chain_breaks(ref('mrr', 'fct_mrr_by_plan'), ['customer_id', 'plan_id']) }}"
-#}
{% macro mrr_series_chain_breaks(relation, series_columns) -%}
with

last_month as (
    select max(month) as month from {{ relation }}
),

series_rows as (
    select
        {{ series_columns | join(', ') }},
        month,
        mrr,
        previous_mrr,
        lag(month) over series_by_month as prior_row_month,
        lag(mrr) over series_by_month as prior_row_mrr,
        lead(month) over series_by_month as next_row_month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month_before,
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month_after
    from {{ relation }}
    window series_by_month as (partition by {{ series_columns | join(', ') }} order by month)
),

checked as (
    select
        {{ series_columns | join(', ') }},
        month,
        mrr,
        previous_mrr,
        prior_row_month,
        prior_row_mrr,
        case
            when prior_row_month = month
                then 'more than one row for the series and month'
            when mrr is null or previous_mrr is null
                then 'mrr or previous_mrr is null'
            when prior_row_month = month_before and previous_mrr != prior_row_mrr
                then 'previous_mrr is not the mrr of the month before'
            when (prior_row_month is null or prior_row_month != month_before) and previous_mrr != 0
                then 'previous_mrr is not 0 although the month before has no row'
            when
                mrr > 0
                and month < (select last_month.month from last_month)
                and (next_row_month is null or next_row_month != month_after)
                then 'mrr is above 0 but the month after has no row'
        end as failure
    from series_rows
)

select
    failure,
    {{ series_columns | join(', ') }},
    month,
    mrr,
    previous_mrr,
    prior_row_month,
    prior_row_mrr
from checked
where failure is not null
{%- endmacro %}
