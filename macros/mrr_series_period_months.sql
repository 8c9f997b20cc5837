{#-
    The months of each period of constant MRR (macro mrr_series_periods_ctes), as
    one select: one row per period and month of `months_relation` from the
    period's start_month up to its end_month (exclusive), with the month and the
    period's columns (`columns`, start_month, first_paying_month, mrr, and the
    period before's MRR as previous_period_mrr). The movement rule is not here: the
    model that calls it classifies each month (fct_mrr, fct_mrr_by_plan).

    With `rebuild_scope` (the incremental series marts), an incremental run emits
    only the rows inside int_series_rebuild_scope: every month of the customers
    whose inputs changed, and every customer in the months whose snapshot day
    moved. Two range joins, so neither becomes a join on an OR. The scope's months
    are read from the scope table alone, bounded by `bounds_relation`
    (spine_start_month, spine_end_month), not joined to the spine: joined, the
    planner expanded every period over every month first and matched the scope's
    months afterwards, a whole build's rows on a night, which ran out of memory at
    scale. `columns` must then include customer_id.
-#}
{% macro mrr_series_period_months(periods_relation, months_relation, bounds_relation, columns, rebuild_scope=false) -%}
{%- set scoped = rebuild_scope and this is not none and is_incremental() -%}
{%- set period_columns -%}
        {%- for column in columns %}
        periods.{{ column }},
        {%- endfor %}
        periods.start_month,
        periods.first_paying_month,
        periods.mrr,
        periods.previous_mrr as previous_period_mrr
{%- endset -%}
{%- if scoped %}
{#- The scope is read only here, so a model without one has no ref to it. -#}
{%- set scoped_customers -%}
(
        select distinct customer_id
        from {{ ref('mrr', 'int_series_rebuild_scope') }}
        where customer_id is not null
    ) as scoped_customers
{%- endset -%}
    -- The customers whose inputs changed: every month of the spine.
    select
        series_months.month,
        {{- period_columns }}
    from {{ periods_relation }} as periods
    inner join {{ scoped_customers }}
        on periods.customer_id = scoped_customers.customer_id
    inner join {{ months_relation }} as series_months
        on
            series_months.month >= periods.start_month
            and series_months.month < periods.end_month
    union all
    -- The other customers: the scope's months within the spine (a month that left
    -- it has no rows).
    select
        scoped_months.month,
        {{- period_columns }}
    from {{ periods_relation }} as periods
    left join {{ scoped_customers }}
        on periods.customer_id = scoped_customers.customer_id
    inner join (
        select distinct rebuild_scope.month
        from {{ ref('mrr', 'int_series_rebuild_scope') }} as rebuild_scope
        cross join {{ bounds_relation }} as bounds
        where
            rebuild_scope.month >= bounds.spine_start_month
            and rebuild_scope.month <= bounds.spine_end_month
    ) as scoped_months
        on
            scoped_months.month >= periods.start_month
            and scoped_months.month < periods.end_month
    where scoped_customers.customer_id is null
{%- else %}
    select
        series_months.month,
        {{- period_columns }}
    from {{ periods_relation }} as periods
    inner join {{ months_relation }} as series_months
        on
            series_months.month >= periods.start_month
            and series_months.month < periods.end_month
{%- endif %}
{%- endmacro %}
