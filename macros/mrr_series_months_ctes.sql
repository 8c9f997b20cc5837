{#-
    The months of each series period (macro mrr_series_periods_ctes), as common
    table expressions ending with `series`: one row per series and month with MRR
    above 0 on the month's snapshot day or on the month before's, with mrr,
    previous_mrr (the MRR of the calendar month before, 0 when it had none),
    active_items, movement_type and movement_amount (spec section 6), and the
    `carried_columns` of the periods (attributes of the series, such as a plan's
    name).

    With `rebuild_scope` (the incremental customer series), an incremental run
    emits only the rows inside int_series_rebuild_scope: every month of the
    customers whose inputs changed, and every customer in the months whose
    snapshot day moved. Two range joins, so neither becomes a join on an OR.
-#}
{% macro mrr_series_months_ctes(periods_relation, series_columns, carried_columns=[], rebuild_scope=false) -%}
{%- set columns = series_columns + carried_columns -%}
{%- if rebuild_scope and this is not none and is_incremental() %}
scoped_customers as (
    select distinct customer_id
    from {{ ref('mrr', 'int_series_rebuild_scope') }}
    where customer_id is not null
),

-- The scope's months within the spine (a month that left it has no rows). Read from
-- the scope table alone, not joined to the spine: joined, the planner expanded every
-- period over every month first and matched the scope's months afterwards: a whole
-- build's rows on a night, which ran out of memory at scale.
scoped_months as (
    select distinct rebuild_scope.month
    from {{ ref('mrr', 'int_series_rebuild_scope') }} as rebuild_scope
    cross join series_bounds
    where
        rebuild_scope.month >= series_bounds.spine_start_month
        and rebuild_scope.month <= series_bounds.spine_end_month
),

periods_of_scoped_customers as (
    select periods.*
    from {{ periods_relation }} as periods
    inner join scoped_customers
        on periods.customer_id = scoped_customers.customer_id
),

periods_of_other_customers as (
    select periods.*
    from {{ periods_relation }} as periods
    left join scoped_customers
        on periods.customer_id = scoped_customers.customer_id
    where scoped_customers.customer_id is null
),

series as (
    {{ mrr_series_period_months('periods_of_scoped_customers', 'series_months', columns) }}
    union all
    {{ mrr_series_period_months('periods_of_other_customers', 'scoped_months', columns) }}
)
{%- else %}
series as (
    {{ mrr_series_period_months(periods_relation, 'series_months', columns) }}
)
{%- endif %}
{%- endmacro %}
