{#-
    That each row of an MRR series mart (fct_mrr, fct_mrr_by_plan) carries as
    previous_mrr the series' mrr of the calendar month before (0 when the series has
    no row then), and that every month with MRR above 0 is followed by a row in the
    month after (the next month's MRR, or its churn at 0), up to the mart's last
    month. In one scan, without sorting or joining the mart.

    Why it proves that: for a series (`series_columns`) with one row per month,
    the conditions above hold exactly when two multisets are equal,
      A = (series, month + 1, mrr) of every row with mrr > 0 before the last month,
      B = (series, month, previous_mrr) of every row with previous_mrr > 0:
    an element of B is matched in A by the row of the month before with that mrr,
    an element of A in B by the row of the month after with that previous_mrr, and
    a row whose previous_mrr is 0 while the month before had MRR would leave that
    month's element of A unmatched. The two multisets are compared by the sums of
    their rows' 64-bit fingerprints (macro mrr_row_fingerprint), which differ for
    unequal multisets except with a chance of about 2^-64.

    The one-row-per-series-and-month grain is not checked here: it holds by
    construction (a series' periods of constant MRR never share a month, macro
    mrr_series_periods_ctes, and the attributes are joined on unique keys). One scan
    costs a fraction of a sorted pass over the mart, which would name the broken
    rows; that pass exists for a failure: the message says how to list the rows (macro mrr_series_chain_breaks).
    Fails with one row: the two sums and how many rows have a null mrr or
    previous_mrr.
-#}
{% test mrr_series_is_chained(model, series_columns) %}

{%- set next_month = 'cast(' ~ dbt.dateadd('month', 1, 'series.month') ~ ' as date)' %}
{%- set series = [] %}
{%- for column in series_columns %}{% do series.append('series.' ~ column) %}{% endfor %}

with

last_month as (
    select max(month) as month from {{ model }}
),

sides as (
    select
        sum(
            case
                when series.mrr > 0 and series.month < last_month.month
                    then cast({{ mrr_row_fingerprint(series + [next_month, 'series.mrr']) }} as decimal(38, 0))
                else 0
            end
        ) as paying_months_carried_forward,
        sum(
            case
                when series.previous_mrr > 0
                    then cast({{ mrr_row_fingerprint(series + ['series.month', 'series.previous_mrr']) }} as decimal(38, 0))
                else 0
            end
        ) as previous_mrr_received,
        sum(case when series.mrr is null or series.previous_mrr is null then 1 else 0 end) as rows_with_null
    from {{ model }} as series
    cross join last_month
)

select
    paying_months_carried_forward,
    previous_mrr_received,
    rows_with_null,
    'previous_mrr does not chain to the month before, or a month with MRR has no row after it: '
    || 'list the rows with the macro mrr_series_chain_breaks (macros/mrr_series_chain_breaks.sql)' as failure
from sides
where
    paying_months_carried_forward != previous_mrr_received
    or rows_with_null > 0

{% endtest %}
