{#-
    The movement rules (spec section 6) as common table expressions, for one MRR
    series per `series_columns` value: a customer (fct_mrr) or a customer and plan
    (fct_mrr_by_plan, spec section 8). Emits the CTEs `first_months` and
    `movements`; the caller writes
    `with <its imports>, {{ mrr_movement_ctes(...) }}, final as (...)`.

    `series_relation` is a series as macro mrr_monthly_series_ctes builds it (the
    int_customer_*mrr_monthly models; pass the relation itself, not a CTE over it,
    which DuckDB would materialise because it is read twice): one row per series
    and month with MRR above 0 in the month or in the calendar month before, with
    mrr and previous_mrr. So
    every active month already knows the month before (0 after a gap), and the
    month after the last month of a run is there with MRR 0 (its churn row),
    never past the month of as_of_date because the spine ends there.

    What is left is new versus reactivation: a month with MRR after a month without
    is new only in the series' first month with MRR. Those months are few (starts
    and returns), so their first month comes from a small aggregate joined back by
    hash, not from sorting the series.

    With `rebuild_scope` (the incremental customer series), an incremental run emits
    only the rows inside int_series_rebuild_scope.
-#}
{% macro mrr_movement_ctes(series_relation, series_columns, rebuild_scope=false) -%}
first_months as (
    select
        {%- for column in series_columns %}
        {{ column }},
        {%- endfor %}
        min(month) as first_month
    from {{ series_relation }}
    where previous_mrr = 0
    group by {{ series_columns | join(', ') }}
),

movements as (
    select
        series.month,
        {%- for column in series_columns %}
        series.{{ column }},
        {%- endfor %}
        series.mrr,
        series.previous_mrr,
        case
            when series.mrr = 0 then 'churn'
            when series.previous_mrr = 0 and series.month = first_months.first_month then 'new'
            when series.previous_mrr = 0 then 'reactivation'
            when series.mrr > series.previous_mrr then 'expansion'
            when series.mrr < series.previous_mrr then 'contraction'
            else 'retained'
        end as movement_type,
        series.mrr - series.previous_mrr as movement_amount
    from {{ series_relation }} as series
    left join first_months
        on
            {%- for column in series_columns %}
            {% if not loop.first %}and {% endif %}series.{{ column }} = first_months.{{ column }}
            {%- endfor %}
    {%- if rebuild_scope and this is not none and is_incremental() %}
    -- An incremental run writes the rows in its scope only (int_series_rebuild_scope);
    -- first_months above still reads the whole series.
    where {{ mrr_in_rebuild_scope('series.customer_id', 'series.month') }}
    {%- endif %}
)
{%- endmacro %}
