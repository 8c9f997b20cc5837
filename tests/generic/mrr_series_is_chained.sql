{#-
    The grain and the chain of an MRR series mart (fct_mrr, fct_mrr_by_plan), proved
    in one sorted pass over the mart instead of two scans (a group by for the grain
    and a join of every row to the month before: measured on fct_mrr_by_plan at 300k
    customers on the long data shape with a 1 GB memory limit, 6.7 + 14.6 s CPU for
    the two, 9.1 s for this one).

    Sorted by month within each series (`series_columns`), every row must
    - be the only row of its series and month: a second row with the same month is
      a duplicate of the grain;
    - carry as previous_mrr the series' mrr of the calendar month before when the
      series has a row in that month, and 0 when it has none (a gap or its first
      month). The mart's own rows include its churn rows (mrr 0), so this also holds
      across a churn.
    Fails with one row per offending row, naming what is wrong.
-#}
{% test mrr_series_is_chained(model, series_columns) %}

with

series_rows as (
    select
        {{ series_columns | join(', ') }},
        month,
        mrr,
        previous_mrr,
        lag(month) over series_by_month as prior_row_month,
        lag(mrr) over series_by_month as prior_row_mrr,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month_before
    from {{ model }}
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
            when previous_mrr is null
                then 'previous_mrr is null'
            when prior_row_month = month_before and previous_mrr != prior_row_mrr
                then 'previous_mrr is not the mrr of the month before'
            when (prior_row_month is null or prior_row_month != month_before) and previous_mrr != 0
                then 'previous_mrr is not 0 although the month before has no row'
        end as failure
    from series_rows
)

select *
from checked
where failure is not null

{% endtest %}
